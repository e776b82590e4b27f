import type { ReactNode } from 'react';

/** A message strip: `info` and `ok` are announced politely, `warn` and `error` at once. */
export function Notice(props: {
  tone: 'info' | 'ok' | 'warn' | 'error';
  title?: string;
  children?: ReactNode;
  testId?: string;
}) {
  const urgent = props.tone === 'error' || props.tone === 'warn';
  return (
    <div
      className={`notice notice-${props.tone}`}
      role={urgent ? 'alert' : 'status'}
      data-testid={props.testId}
    >
      {props.title && <strong className="notice-title">{props.title}</strong>}
      {props.children}
    </div>
  );
}

/** An API error, or nothing. */
export function ErrorNotice(props: { error: Error | undefined; what?: string }) {
  if (!props.error) return null;
  return (
    <Notice tone="error" title={props.what ? `Could not ${props.what}` : undefined}>
      <p>{props.error.message}</p>
    </Notice>
  );
}

/** A feature this server does not offer (its API is not in the OpenAPI document). */
export function Unavailable(props: { feature: string; routes: string; children?: ReactNode }) {
  return (
    <div className="unavailable" data-testid="unavailable">
      <h2>{props.feature}: not available on this server</h2>
      <p>
        This gateway's API has no <code>{props.routes}</code> routes yet (see{' '}
        <a href="/docs">/docs</a>), so there is nothing to show. Nothing here is made up: the page
        fills in once the server offers them.
      </p>
      {props.children}
    </div>
  );
}
