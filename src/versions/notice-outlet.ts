/**
 * Where new version notices go once stored: the log (info, or a warning when it matters)
 * and the alert webhook.
 */
import type { NewVersionNotice, VersionNoticeRecord } from '../storage/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { NoticeWebhook } from './notice-webhook.js';

/** Logs and delivers notices; fills in what every new notice shares. */
export function createNoticeOutlet(options: {
  logger: Pick<Logger, 'info' | 'warn'>;
  webhook: NoticeWebhook;
  dependents: (model: string) => string[];
}) {
  return {
    /** `pending` when a webhook will deliver new notices, else `none`. */
    get delivery(): 'pending' | 'none' {
      return options.webhook.enabled ? 'pending' : 'none';
    },

    /** Model, dependents and delivery of a new notice about `model`. */
    base(model: string): Pick<NewVersionNotice, 'model' | 'dependents' | 'delivery'> {
      return {
        model,
        dependents: options.dependents(model),
        delivery: options.webhook.enabled ? 'pending' : 'none',
      };
    },

    /** Logs each stored notice and hands them to the webhook. */
    announce(notices: readonly VersionNoticeRecord[]): void {
      for (const notice of notices) {
        const line = { notice: notice.id, model: notice.model, kind: notice.kind };
        const message = `model version notice: ${notice.summary}`;
        if (notice.severity === 'info') options.logger.info(line, message);
        else options.logger.warn(line, message);
      }
      options.webhook.deliver(notices);
    },
  };
}

/** The notice outlet of a gateway's versions. */
export type NoticeOutlet = ReturnType<typeof createNoticeOutlet>;
