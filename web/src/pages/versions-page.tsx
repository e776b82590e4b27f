import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client.js';
import { useSession } from '../api/session.js';
import type {
  AuditEntry,
  DeprecationInfo,
  PinInfo,
  VersionedModel,
  VersionNotice,
} from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { useApiPaths } from '../api/use-openapi.js';
import { StatusBadge } from '../components/free-badge.js';
import { ErrorNotice, Notice, Unavailable } from '../components/notice.js';
import { when } from '../format.js';

/** Model versions: what is served, change notices, pins with rollback, deprecations, audit. */
export function VersionsPage() {
  const paths = useApiPaths(['/api/versions']);
  const [round, setRound] = useState(0);
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string }>();
  const changed = (tone: 'ok' | 'error', text: string) => {
    setMessage({ tone, text });
    setRound((value) => value + 1);
  };
  return (
    <section aria-labelledby="versions-title">
      <h1 id="versions-title">Versions</h1>
      {paths === undefined && <p>Reading the server's API…</p>}
      {paths?.length === 0 && <Unavailable feature="Model versions" routes="/api/versions/*" />}
      {paths && paths.length > 0 && (
        <>
          {message && (
            <Notice tone={message.tone} testId="versions-message">
              {message.text}
            </Notice>
          )}
          <Deprecations round={round} />
          <Notices round={round} />
          <Pins round={round} onChanged={changed} />
          <Models round={round} />
          <Audit round={round} />
        </>
      )}
    </section>
  );
}

function Models(props: { round: number }) {
  const { api } = useSession();
  const [all, setAll] = useState(false);
  const models = useLoad(
    (signal) =>
      api.get<{ models: VersionedModel[] }>(`/api/versions${all ? '?all=true' : ''}`, signal),
    `${all}-${props.round}`,
  );
  return (
    <div className="card" data-testid="versioned-models">
      <h2>Models and their versions</h2>
      <label className="check">
        <input type="checkbox" checked={all} onChange={(event) => setAll(event.target.checked)} />{' '}
        Every model with a recorded version (not only those routes and pins use)
      </label>
      <ErrorNotice error={models.error} what="list the versions" />
      {models.data?.models.length === 0 && <p>No model versions to show yet.</p>}
      {models.data && models.data.models.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Served now</th>
                <th scope="col">Versions</th>
                <th scope="col">Used by</th>
                <th scope="col">Retirement</th>
              </tr>
            </thead>
            <tbody>
              {models.data.models.map((model) => (
                <tr key={model.model}>
                  <th scope="row">
                    <code>{model.model}</code>
                  </th>
                  <td>
                    {model.served ? model.served.label : <StatusBadge status="gone" />}
                    {model.served && model.latest.id !== model.served.id && (
                      <p className="help">newest seen: {model.latest.label}</p>
                    )}
                  </td>
                  <td>{model.versions}</td>
                  <td>{model.dependents.length ? model.dependents.join(', ') : '—'}</td>
                  <td>
                    {model.deprecation ? (
                      <>
                        <StatusBadge status="retiring" /> {model.deprecation.timeline}
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function Notices(props: { round: number }) {
  const { api } = useSession();
  const notices = useLoad(
    (signal) => api.get<{ notices: VersionNotice[] }>('/api/versions/notices?limit=20', signal),
    `notices-${props.round}`,
  );
  return (
    <div className="card" data-testid="version-notices">
      <h2>Change notices</h2>
      <ErrorNotice error={notices.error} what="read the notices" />
      {notices.data?.notices.length === 0 && (
        <p>No model has changed since tta-models started watching.</p>
      )}
      <ul className="plain">
        {notices.data?.notices.map((notice) => (
          <li key={notice.id}>
            <StatusBadge status={notice.severity} />{' '}
            <span className="incident-time">{when(notice.at)}</span> {notice.summary}
            {notice.dependents.length > 0 && (
              <p className="help">affects {notice.dependents.join(', ')}</p>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Deprecations(props: { round: number }) {
  const { api } = useSession();
  const deprecations = useLoad(
    (signal) => api.get<{ deprecations: DeprecationInfo[] }>('/api/versions/deprecations', signal),
    `deprecations-${props.round}`,
  );
  const list = deprecations.data?.deprecations ?? [];
  if (deprecations.error)
    return <ErrorNotice error={deprecations.error} what="read the deprecations" />;
  if (list.length === 0) return null;
  return (
    <Notice tone="warn" title={`${list.length} model(s) retire or are gone`} testId="deprecations">
      <ul className="plain">
        {list.map((entry) => (
          <li key={entry.model}>
            <code>{entry.model}</code> {entry.timeline}
            {entry.dependents.length > 0 && ` — used by ${entry.dependents.join(', ')}`}
            {entry.suggestion && (
              <p>
                Move to <code>{entry.suggestion.model}</code>: {entry.suggestion.reasons.join('; ')}
                {entry.command && (
                  <>
                    {' '}
                    (<code>{entry.command}</code>)
                  </>
                )}
              </p>
            )}
          </li>
        ))}
      </ul>
    </Notice>
  );
}

function Pins(props: { round: number; onChanged(tone: 'ok' | 'error', text: string): void }) {
  const { api } = useSession();
  const pins = useLoad(
    (signal) => api.get<{ pins: PinInfo[] }>('/api/versions/pins', signal),
    `pins-${props.round}`,
  );

  async function change(path: string, body: Record<string, unknown>, done: string) {
    try {
      await api.send('POST', path, body);
      props.onChanged('ok', done);
    } catch (failure) {
      props.onChanged('error', failure instanceof ApiError ? failure.message : String(failure));
    }
  }

  function pin(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const subject = text('subject');
    change(
      '/api/versions/pin',
      {
        subject,
        model: text('model'),
        ...(text('version') ? { version: text('version') } : {}),
        reason: text('reason'),
      },
      `Pinned ${subject} to ${text('model')}.`,
    );
  }

  return (
    <div className="card" data-testid="pins">
      <h2>Pins</h2>
      <p className="help">
        A pin keeps a route (or alias) on one version of a model; a new version then waits for
        promotion instead of reaching players unannounced.
      </p>
      <ErrorNotice error={pins.error} what="read the pins" />
      {pins.data?.pins.length === 0 && (
        <p>No pins: every route follows what its providers serve.</p>
      )}
      {pins.data && pins.data.pins.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Route or alias</th>
                <th scope="col">Pinned to</th>
                <th scope="col">By, why</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {pins.data.pins.map((entry) => (
                <PinRow key={entry.id} pin={entry} change={change} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form onSubmit={pin} aria-labelledby="pin-title">
        <h3 id="pin-title">Pin a route</h3>
        <div className="row">
          <div className="field">
            <label htmlFor="pin-subject">Route or alias</label>
            <input
              id="pin-subject"
              name="subject"
              placeholder="route:story"
              required
              pattern="(route|alias):[a-z0-9][a-z0-9_\-]*"
            />
          </div>
          <div className="field grow">
            <label htmlFor="pin-model">Model</label>
            <input id="pin-model" name="model" placeholder="provider/model" required />
          </div>
          <div className="field">
            <label htmlFor="pin-version">Version (default: served now)</label>
            <input id="pin-version" name="version" />
          </div>
          <div className="field grow">
            <label htmlFor="pin-reason">Reason</label>
            <input id="pin-reason" name="reason" required minLength={3} />
          </div>
        </div>
        <div className="actions">
          <button type="submit" className="primary">
            Pin
          </button>
        </div>
      </form>
    </div>
  );
}

function PinRow(props: {
  pin: PinInfo;
  change(path: string, body: Record<string, unknown>, done: string): Promise<void>;
}) {
  const { pin } = props;
  const [reason, setReason] = useState('');
  const ready = reason.trim().length >= 3;
  return (
    <tr>
      <th scope="row">
        <code>{pin.subject}</code>
      </th>
      <td>
        <code>{pin.model}</code> {pin.label}
        {!pin.served && <p className="help">no longer served: promote or roll back</p>}
      </td>
      <td>
        {pin.actor}, {when(pin.at)}: {pin.reason}
      </td>
      <td>
        <label htmlFor={`reason-${pin.id}`} className="visually-hidden">
          Reason for changing {pin.subject}
        </label>
        <input
          id={`reason-${pin.id}`}
          placeholder="reason (required)"
          value={reason}
          onChange={(event) => setReason(event.target.value)}
        />
        <div className="actions">
          <button
            type="button"
            disabled={!ready || !pin.previousPinId}
            title={pin.previousPinId ? undefined : 'There is no earlier pin to return to'}
            onClick={() =>
              props.change(
                '/api/versions/rollback',
                { subject: pin.subject, reason },
                `Rolled ${pin.subject} back.`,
              )
            }
          >
            Roll back
          </button>
          <button
            type="button"
            disabled={!ready}
            onClick={() =>
              props.change(
                '/api/versions/promote',
                { subject: pin.subject, reason },
                `Promoted ${pin.subject} to the served version.`,
              )
            }
          >
            Promote
          </button>
          <button
            type="button"
            className="danger"
            disabled={!ready}
            onClick={() =>
              props.change(
                '/api/versions/unpin',
                { subject: pin.subject, reason },
                `Unpinned ${pin.subject}.`,
              )
            }
          >
            Unpin
          </button>
        </div>
      </td>
    </tr>
  );
}

function Audit(props: { round: number }) {
  const { api } = useSession();
  const audit = useLoad(
    (signal) => api.get<{ entries: AuditEntry[] }>('/api/versions/audit?limit=20', signal),
    `audit-${props.round}`,
  );
  return (
    <details className="card">
      <summary>Audit log</summary>
      <ErrorNotice error={audit.error} what="read the audit log" />
      {audit.data?.entries.length === 0 && <p>Nothing changed yet.</p>}
      <ul className="plain">
        {audit.data?.entries.map((entry) => (
          <li key={entry.id}>
            <span className="incident-time">{when(entry.at)}</span> {entry.actor} ({entry.channel}){' '}
            {entry.action} <code>{entry.subject}</code>: {entry.reason}
          </li>
        ))}
      </ul>
    </details>
  );
}
