import type { AlertRecord } from '../storage/index.js';

/** What the webhook receives: one JSON document per opened or cleared alert. */
export interface AlertNotification {
  event: 'alert.opened' | 'alert.cleared';
  alert: AlertRecord;
}

/**
 * POSTs a notification as JSON; throws with a readable message when the webhook
 * cannot be reached or answers with an error status.
 */
export async function postAlert(
  url: string,
  notification: AlertNotification,
  fetchFunction: typeof fetch = fetch,
  timeoutMs = 5_000,
): Promise<void> {
  let response: Response;
  try {
    response = await fetchFunction(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'tta-models-alerts' },
      body: JSON.stringify(notification),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Error(
      `alert webhook ${new URL(url).origin} unreachable: ${(error as Error).message}`,
    );
  }
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok)
    throw new Error(`alert webhook ${new URL(url).origin} answered ${response.status}`);
}
