import { type FormEvent, useEffect, useRef, useState } from 'react';
import { readiness } from '../api/client.js';
import { Notice } from '../components/notice.js';

/** Sign-in with the admin token or a user token; it is kept in this tab only. */
export function SignInPage(props: { error: string | undefined; onSignIn(token: string): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [ready, setReady] = useState<Awaited<ReturnType<typeof readiness>>>();
  const [empty, setEmpty] = useState(false);

  useEffect(() => {
    readiness().then((value) => setReady(value));
    input.current?.focus();
  }, []);

  function submit(event: FormEvent) {
    event.preventDefault();
    const value = input.current?.value.trim() ?? '';
    if (!value) {
      setEmpty(true);
      return;
    }
    if (input.current) input.current.value = '';
    props.onSignIn(value);
  }

  return (
    <main className="sign-in" id="main">
      <h1>tta-models</h1>
      <p className="lead">
        The model gateway of TTA. Point OpenAI clients at{' '}
        <code>{`${window.location.origin}/v1`}</code>.
      </p>
      {ready === null && <Notice tone="error">The gateway does not answer.</Notice>}
      {ready && ready.providers === 0 && (
        <Notice tone="info" title="No model provider is configured yet.">
          <p>Sign in with the admin token to set one up here.</p>
        </Notice>
      )}
      <form onSubmit={submit} className="card" noValidate>
        <h2>Sign in</h2>
        <label htmlFor="token">Admin or user token</label>
        <input
          id="token"
          ref={input}
          type="password"
          autoComplete="off"
          spellCheck={false}
          aria-describedby="token-help"
          aria-invalid={empty || Boolean(props.error)}
        />
        <p id="token-help" className="help">
          The admin token was printed when the gateway first started (
          <code>tta-models admin-token --rotate</code> makes a new one); a user token comes from{' '}
          <code>tta-models users add</code>. It stays in this browser tab only.
        </p>
        {empty && <p className="field-error">Enter a token.</p>}
        {props.error && <Notice tone="error">{props.error}</Notice>}
        <button type="submit" className="primary">
          Sign in
        </button>
      </form>
      <p className="help">
        API reference: <a href="/docs">/docs</a> · metrics: <a href="/metrics">/metrics</a>
      </p>
    </main>
  );
}
