import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, readiness } from '../api/client.js';
import { useSession } from '../api/session.js';
import type { SetupInfo, SetupResult } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { StatusBadge } from '../components/free-badge.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { bytes, tokens } from '../format.js';

/**
 * First-run setup, the same steps as `tta-models setup`: where models come from (this
 * machine, OpenRouter, an own key), what this machine holds, keys checked with their
 * provider and stored in the vault, recommended free models, config.yaml written.
 */
export function SetupPage() {
  const { api } = useSession();
  const [addresses, setAddresses] = useState({ ollamaUrl: '', llamaCppUrl: '' });
  const lookKey = `${addresses.ollamaUrl}|${addresses.llamaCppUrl}`;
  const info = useLoad((signal) => {
    const query = new URLSearchParams();
    if (addresses.ollamaUrl) query.set('ollamaUrl', addresses.ollamaUrl);
    if (addresses.llamaCppUrl) query.set('llamaCppUrl', addresses.llamaCppUrl);
    return api.get<SetupInfo>(`/api/setup?${query}`, signal);
  }, lookKey);
  const [result, setResult] = useState<SetupResult>();

  return (
    <section aria-labelledby="setup-title">
      <h1 id="setup-title">Set up model providers</h1>
      <p className="lead">
        Choose where TTA's models come from. Keys are checked with their provider and stored
        encrypted in the vault, never in the config file.
      </p>
      <ErrorNotice error={info.error} what="look at this machine" />
      {info.data && !info.data.needed && !result && (
        <Notice tone="info" title="Providers are configured already">
          <p>
            This gateway serves {info.data.providers.join(', ')}. Setup adds or replaces the
            providers you choose below and keeps the others.
          </p>
        </Notice>
      )}
      {info.data && <MachineCard info={info.data} />}
      {result && <SetupDone result={result} onAgain={() => setResult(undefined)} />}
      {!result?.written && info.data && (
        <SetupForm
          info={info.data}
          onLook={(ollamaUrl, llamaCppUrl) => setAddresses({ ollamaUrl, llamaCppUrl })}
          onDone={setResult}
        />
      )}
    </section>
  );
}

function MachineCard(props: { info: SetupInfo }) {
  const { machine, servers, localRecommendations } = props.info;
  return (
    <div className="card" data-testid="machine">
      <h2>This machine</h2>
      <p>
        {bytes(machine.totalRamBytes)} of memory ({bytes(machine.freeRamBytes)} free),{' '}
        {machine.cores} CPU cores.
      </p>
      <ul className="plain">
        {servers.map((server) => (
          <li key={server.kind}>
            <StatusBadge status={server.found ? 'live' : 'not_found'} />{' '}
            <strong>{server.kind}</strong> at <code>{server.baseUrl}</code>
            {server.found
              ? `: ${server.models.length} model(s)${server.models.length ? ` (${server.models.slice(0, 4).join(', ')})` : ''}`
              : ` — ${server.reason ?? 'not found'}`}
          </li>
        ))}
      </ul>
      <h3>Local models that fit</h3>
      <ul className="plain">
        {localRecommendations.map((model) => (
          <li key={model.model}>
            <code>ollama pull {model.model}</code> — {model.why}
          </li>
        ))}
      </ul>
    </div>
  );
}

function SetupForm(props: {
  info: SetupInfo;
  onLook(ollamaUrl: string, llamaCppUrl: string): void;
  onDone(result: SetupResult): void;
}) {
  const { api } = useSession();
  const found = props.info.servers.some((server) => server.found);
  const [local, setLocal] = useState(found);
  const [openRouter, setOpenRouter] = useState(true);
  const [custom, setCustom] = useState(false);
  const [customType, setCustomType] = useState<'openai-compatible' | 'anthropic'>(
    'openai-compatible',
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  // Key inputs are uncontrolled: a secret never sits in React state or a DOM attribute.
  const openRouterKey = useRef<HTMLInputElement>(null);
  const customKey = useRef<HTMLInputElement>(null);
  const form = useRef<HTMLFormElement>(null);

  async function submit(event: FormEvent, dryRun: boolean) {
    event.preventDefault();
    const data = new FormData(form.current ?? undefined);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const body: Record<string, unknown> = { dryRun, skipValidation: data.get('skip') === 'on' };
    if (local) {
      body.local = {
        ...(text('ollamaUrl') ? { ollamaUrl: text('ollamaUrl') } : {}),
        ...(text('llamaCppUrl') ? { llamaCppUrl: text('llamaCppUrl') } : {}),
      };
    }
    if (openRouter) {
      const key = openRouterKey.current?.value.trim();
      body.openRouter = {
        ...(text('openRouterUrl') ? { baseUrl: text('openRouterUrl') } : {}),
        ...(key ? { key } : {}),
      };
    }
    if (custom) {
      const key = customKey.current?.value.trim();
      body.custom = {
        id: text('customId') || (customType === 'anthropic' ? 'anthropic' : 'openai'),
        type: customType,
        ...(text('customUrl') ? { baseUrl: text('customUrl') } : {}),
        ...(key ? { key } : {}),
      };
    }
    if (!local && !openRouter && !custom) {
      setError('Choose at least one place for models to come from.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.send<SetupResult>('POST', '/api/setup', body);
      if (!dryRun) {
        if (openRouterKey.current) openRouterKey.current.value = '';
        if (customKey.current) customKey.current.value = '';
      }
      props.onDone(result);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }

  const defaults = props.info.defaults;
  return (
    <form ref={form} className="card" onSubmit={(event) => submit(event, false)} aria-busy={busy}>
      <fieldset>
        <legend>Where should models come from?</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={local}
            onChange={(event) => setLocal(event.target.checked)}
          />
          Local models on this machine{' '}
          <span className="help">
            {found
              ? '(found a server above)'
              : '(Ollama or llama.cpp; none running now — Ollama is added for later)'}
          </span>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={openRouter}
            onChange={(event) => setOpenRouter(event.target.checked)}
          />
          OpenRouter <span className="help">(hundreds of models, free ones included)</span>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={custom}
            onChange={(event) => setCustom(event.target.checked)}
          />
          My own API key <span className="help">(OpenAI-compatible or Anthropic)</span>
        </label>
      </fieldset>

      {openRouter && (
        <fieldset>
          <legend>OpenRouter</legend>
          <label htmlFor="openrouter-key">OpenRouter API key (optional)</label>
          <input
            id="openrouter-key"
            ref={openRouterKey}
            type="password"
            autoComplete="off"
            spellCheck={false}
            aria-describedby="openrouter-key-help"
          />
          <p id="openrouter-key-help" className="help">
            Leave it empty to add it later. Make one at{' '}
            <a href="https://openrouter.ai/settings/keys" target="_blank" rel="noreferrer">
              openrouter.ai/settings/keys
            </a>
            . The catalog works without a key; chatting needs one.
          </p>
        </fieldset>
      )}

      {custom && (
        <fieldset>
          <legend>Your own provider</legend>
          <label htmlFor="custom-type">API</label>
          <select
            id="custom-type"
            value={customType}
            onChange={(event) =>
              setCustomType(event.target.value === 'anthropic' ? 'anthropic' : 'openai-compatible')
            }
          >
            <option value="openai-compatible">OpenAI or an OpenAI-compatible API</option>
            <option value="anthropic">Anthropic (Claude)</option>
          </select>
          <label htmlFor="custom-id">Short name (models are named name/model)</label>
          <input
            id="custom-id"
            name="customId"
            pattern="[a-z0-9][a-z0-9_\-]*"
            placeholder={customType === 'anthropic' ? 'anthropic' : 'openai'}
          />
          {customType === 'openai-compatible' && (
            <>
              <label htmlFor="custom-url">Base URL</label>
              <input
                id="custom-url"
                name="customUrl"
                type="url"
                placeholder="https://api.openai.com/v1"
                required
              />
            </>
          )}
          <label htmlFor="custom-key">API key</label>
          <input
            id="custom-key"
            ref={customKey}
            type="password"
            autoComplete="off"
            spellCheck={false}
          />
        </fieldset>
      )}

      <details>
        <summary>Advanced: addresses and checks</summary>
        <label htmlFor="ollama-url">Ollama address</label>
        <input id="ollama-url" name="ollamaUrl" type="url" placeholder={defaults.ollamaUrl} />
        <label htmlFor="llamacpp-url">llama.cpp server address</label>
        <input id="llamacpp-url" name="llamaCppUrl" type="url" placeholder={defaults.llamaCppUrl} />
        <button
          type="button"
          onClick={() => {
            const data = new FormData(form.current ?? undefined);
            props.onLook(
              String(data.get('ollamaUrl') ?? ''),
              String(data.get('llamaCppUrl') ?? ''),
            );
          }}
        >
          Look there again
        </button>
        <label htmlFor="openrouter-url">OpenRouter API address (a mirror)</label>
        <input
          id="openrouter-url"
          name="openRouterUrl"
          type="url"
          placeholder={defaults.openRouterUrl}
        />
        <label className="check">
          <input type="checkbox" name="skip" /> Store keys without checking them with their provider
        </label>
      </details>

      {error && (
        <Notice tone="error" title="Setup did not finish">
          {error}
        </Notice>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Check and save'}
        </button>
        <button type="button" disabled={busy} onClick={(event) => submit(event, true)}>
          Preview only
        </button>
      </div>
      <p className="help">Writes {props.info.configFile} (the old one is kept as .bak).</p>
    </form>
  );
}

function SetupDone(props: { result: SetupResult; onAgain(): void }) {
  const { result } = props;
  const [providers, setProviders] = useState<number>();
  // After the restart the same token works again: notice the new provider count and
  // offer the catalog.
  useEffect(() => {
    if (!result.written) return;
    let before: number | undefined;
    const check = async () => {
      const ready = await readiness();
      if (!ready) return;
      before ??= ready.providers;
      if (ready.providers !== before) setProviders(ready.providers);
    };
    check();
    const timer = setInterval(check, 3000);
    return () => clearInterval(timer);
  }, [result.written]);

  return (
    <div className="card" data-testid="setup-result">
      {result.written ? (
        <Notice tone="ok" title={`Saved ${result.file}`}>
          <p>
            {result.backup && `The previous config is kept as ${result.backup}. `}
            Restart the gateway (stop it and run <code>npm start</code> or{' '}
            <code>tta-models serve</code>) to use{' '}
            {result.providers.map((entry) => entry.id).join(', ')}.
          </p>
          {providers !== undefined && providers > 0 && (
            <p>
              The gateway now serves {providers} provider(s):{' '}
              <a href="#/catalog">open the catalog</a>.
            </p>
          )}
        </Notice>
      ) : (
        <Notice tone="info" title="Preview: nothing was written">
          <p>This is the config that “Check and save” would write.</p>
        </Notice>
      )}
      {result.keys.length > 0 && (
        <>
          <h2>Keys</h2>
          <ul className="plain">
            {result.keys.map((key) => (
              <li key={key.id}>
                <StatusBadge status={key.status} /> {key.providerId} key …{key.last4}: {key.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {result.recommendedFree.length > 0 && (
        <>
          <h2>Recommended free models</h2>
          {result.freeLimits && (
            <Notice tone="warn" title="Free models have limits">
              <p>
                {result.freeLimits}. They can be slow or busy; the catalog shows paid and local
                alternatives for each.
              </p>
            </Notice>
          )}
          <ol>
            {result.recommendedFree.map((model) => (
              <li key={model.name}>
                <strong>{model.displayName}</strong> — send <code>model: "{model.name}"</code> (
                {tokens(model.contextLength)} tokens{model.tools ? ', tools' : ''})
              </li>
            ))}
          </ol>
        </>
      )}
      {result.notices.map((notice) => (
        <Notice key={notice} tone="warn">
          {notice}
        </Notice>
      ))}
      {result.localRecommendations.length > 0 && (
        <>
          <h2>To run models locally</h2>
          <ul className="plain">
            {result.localRecommendations.map((model) => (
              <li key={model.model}>
                <code>ollama pull {model.model}</code> — {model.why}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>config.yaml</h2>
      <pre className="config" data-testid="config-text">
        {result.config}
      </pre>
      {result.written && (
        <button type="button" onClick={props.onAgain}>
          Set up more
        </button>
      )}
    </div>
  );
}
