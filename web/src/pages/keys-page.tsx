import { type FormEvent, useRef, useState } from 'react';
import { ApiError } from '../api/client.js';
import { useSession } from '../api/session.js';
import type { CatalogAnswer, CheckedKey, KeyInfo } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { StatusBadge } from '../components/free-badge.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { when } from '../format.js';

/**
 * Provider keys: add (checked with the provider first), check again, remove. Only
 * metadata is ever shown (…last4); the secret goes from the input to the server once.
 */
export function KeysPage() {
  const { api, isAdmin, me } = useSession();
  const keys = useLoad((signal) => api.get<{ keys: KeyInfo[] }>('/api/keys', signal), 'keys');
  const providers = useLoad(
    (signal) => api.get<CatalogAnswer>('/api/catalog?limit=1&refresh=never', signal),
    'providers',
  );
  const [message, setMessage] = useState<{ tone: 'ok' | 'error' | 'warn'; text: string }>();
  const [busy, setBusy] = useState<string>();

  async function act(id: string, action: () => Promise<string>) {
    setBusy(id);
    try {
      setMessage({ tone: 'ok', text: await action() });
    } catch (error) {
      setMessage({
        tone: 'error',
        text: error instanceof ApiError ? error.message : String(error),
      });
    } finally {
      setBusy(undefined);
      keys.reload();
    }
  }

  const providerIds = providers.data?.meta.providers.map((provider) => provider.providerId) ?? [];
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">Provider keys</h1>
      <p className="lead">
        {isAdmin
          ? 'Every key in the vault: shared operator keys and the keys users brought.'
          : `Your own keys (${me.name ?? 'you'}): requests you make are paid with them first.`}{' '}
        Keys are stored encrypted and never shown again — only their last four characters.
      </p>
      {message && (
        <Notice tone={message.tone} testId="key-message">
          {message.text}
        </Notice>
      )}
      <AddKeyForm
        providerIds={providerIds}
        isAdmin={isAdmin}
        onAdded={(text, tone) => {
          setMessage({ tone, text });
          keys.reload();
        }}
      />
      <ErrorNotice error={keys.error} what="list the keys" />
      <h2>Stored keys</h2>
      {keys.data && keys.data.keys.length === 0 && <p>No keys yet.</p>}
      {keys.data && keys.data.keys.length > 0 && (
        <div className="table-wrap">
          <table data-testid="keys-table">
            <thead>
              <tr>
                <th scope="col">Provider</th>
                {isAdmin && <th scope="col">Owner</th>}
                <th scope="col">Label</th>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.keys.map((key) => (
                <tr key={key.id}>
                  <th scope="row">{key.providerId}</th>
                  {isAdmin && <td>{key.owner}</td>}
                  <td>{key.label ?? '—'}</td>
                  <td>
                    <code>…{key.last4}</code>
                  </td>
                  <td>
                    <StatusBadge status={key.status} />
                    {key.statusMessage && <p className="help">{key.statusMessage}</p>}
                    <p className="help">checked {when(key.checkedAt)}</p>
                  </td>
                  <td>{when(key.lastUsedAt)}</td>
                  <td className="actions">
                    <button
                      type="button"
                      disabled={busy === key.id}
                      aria-label={`Check the ${key.providerId} key …${key.last4} again`}
                      onClick={() =>
                        act(key.id, async () => {
                          const checked = await api.send<CheckedKey>(
                            'POST',
                            `/api/keys/${key.id}/validate`,
                          );
                          return `${key.providerId} key …${key.last4}: ${checked.validation?.message ?? checked.key.status}`;
                        })
                      }
                    >
                      Check
                    </button>
                    <button
                      type="button"
                      className="danger"
                      disabled={busy === key.id}
                      aria-label={`Remove the ${key.providerId} key …${key.last4}`}
                      onClick={() => {
                        if (!window.confirm(`Remove the ${key.providerId} key …${key.last4}?`))
                          return;
                        act(key.id, async () => {
                          await api.send('DELETE', `/api/keys/${key.id}`);
                          return `Removed the ${key.providerId} key …${key.last4}.`;
                        });
                      }}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>When a key stops working</h2>
      <p className="help">
        When a provider refuses a key in live traffic (401/403) or says its credit is gone (402),
        the key is marked <em>invalid</em> or <em>out of credit</em> here with what to do, and
        requests move on to the next usable key. Renew it with the provider, then press Check.
      </p>
    </section>
  );
}

function AddKeyForm(props: {
  providerIds: string[];
  isAdmin: boolean;
  onAdded(text: string, tone: 'ok' | 'error' | 'warn'): void;
}) {
  const { api } = useSession();
  // Uncontrolled on purpose: the secret never enters React state or a DOM attribute.
  const secret = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const value = secret.current?.value.trim() ?? '';
    if (!value) {
      setError('Paste the key into the key field.');
      return;
    }
    // Gone from the page before the request even leaves.
    if (secret.current) secret.current.value = '';
    const label = String(data.get('label') ?? '').trim();
    const owner = String(data.get('owner') ?? '').trim();
    setBusy(true);
    setError(undefined);
    try {
      const checked = await api.send<CheckedKey>('POST', '/api/keys', {
        providerId: String(data.get('provider')),
        secret: value,
        ...(label ? { label } : {}),
        ...(owner ? { owner } : {}),
        ...(data.get('skip') === 'on' ? { skipValidation: true } : {}),
      });
      props.onAdded(
        `Stored the ${checked.key.providerId} key …${checked.key.last4}: ${checked.validation?.message ?? 'not checked'}.`,
        checked.key.status === 'valid' ? 'ok' : 'warn',
      );
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} aria-labelledby="add-key-title" aria-busy={busy}>
      <h2 id="add-key-title">Add a key</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="key-provider">Provider</label>
          <select id="key-provider" name="provider" required>
            {props.providerIds.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor="key-secret">Key</label>
          <input
            id="key-secret"
            ref={secret}
            type="password"
            autoComplete="off"
            spellCheck={false}
            aria-describedby="key-secret-help"
          />
        </div>
        <div className="field">
          <label htmlFor="key-label">Label (optional)</label>
          <input id="key-label" name="label" maxLength={200} />
        </div>
        {props.isAdmin && (
          <div className="field">
            <label htmlFor="key-owner">For user (optional)</label>
            <input id="key-owner" name="owner" placeholder="operator (shared)" />
          </div>
        )}
      </div>
      <p id="key-secret-help" className="help">
        The key is checked with its provider, then stored encrypted. It is never shown again.
      </p>
      <label className="check">
        <input type="checkbox" name="skip" /> Save without checking (when the provider cannot be
        reached)
      </label>
      {error && (
        <Notice tone="error" title="The key was not stored">
          {error}
        </Notice>
      )}
      <button type="submit" className="primary" disabled={busy || props.providerIds.length === 0}>
        {busy ? 'Checking…' : 'Check and store'}
      </button>
    </form>
  );
}
