/**
 * Version notices sent to the alert webhook: one JSON POST per notice, `{ text, notice }`
 * (`text` is what chat tools such as Slack show). Delivery never blocks a sync or a
 * request; its outcome is stored with the notice, and a failure is logged.
 */
import type { ModelVersionStore, VersionNoticeRecord } from '../storage/index.js';
import type { Logger } from '../telemetry/logger.js';

/** What a webhook receives. */
export interface NoticeWebhookBody {
  /** The notice in one line, with its severity. */
  text: string;
  /** Where it comes from. */
  source: 'tta-models';
  /** The whole notice. */
  notice: VersionNoticeRecord;
}

/** Options of {@link createNoticeWebhook}. */
export interface NoticeWebhookOptions {
  /** Where to POST; undefined turns delivery off. */
  url: string | undefined;
  /** Where delivery outcomes are stored. */
  store: Pick<ModelVersionStore, 'setDelivery'>;
  logger: Pick<Logger, 'warn'>;
  /** The HTTP client (default: the global fetch). */
  fetch?: typeof fetch;
  /** Longest wait for the webhook, milliseconds (default 5,000). */
  timeoutMs?: number;
}

/** Sends notices to the webhook. */
export function createNoticeWebhook(options: NoticeWebhookOptions) {
  const send = options.fetch ?? fetch;
  const pending = new Set<Promise<void>>();

  async function deliverOne(url: string, notice: VersionNoticeRecord): Promise<void> {
    const body: NoticeWebhookBody = {
      text: `[tta-models ${notice.severity}] ${notice.summary}`,
      source: 'tta-models',
      notice: { ...notice, delivery: 'sent' },
    };
    let problem: string | undefined;
    try {
      const response = await send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) problem = `the webhook answered HTTP ${response.status}`;
    } catch (error) {
      problem = `the webhook could not be reached: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (problem !== undefined) {
      options.logger.warn(
        { notice: notice.id, model: notice.model },
        `version notice not delivered (${problem}); it stays in GET /api/versions/notices`,
      );
    }
    await options.store
      .setDelivery(notice.id, problem === undefined ? 'sent' : 'failed', problem)
      .catch(() => undefined);
  }

  return {
    /** True when a webhook is configured (new notices are stored as `pending`). */
    get enabled(): boolean {
      return options.url !== undefined;
    },

    /** Sends each notice, in order, in the background. */
    deliver(notices: readonly VersionNoticeRecord[]): void {
      const url = options.url;
      if (url === undefined || notices.length === 0) return;
      const run = (async () => {
        for (const notice of notices) await deliverOne(url, notice);
      })();
      pending.add(run);
      void run.finally(() => pending.delete(run));
    },

    /** Resolves once every delivery started so far has finished. */
    async idle(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** The webhook of a gateway's versions. */
export type NoticeWebhook = ReturnType<typeof createNoticeWebhook>;
