import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client.js';
import { useSession } from '../api/session.js';
import { Notice } from '../components/notice.js';
import { bytes } from '../format.js';

/** What `POST /api/local-models/pull` reports as it goes. */
interface PullProgressEvent {
  receivedBytes: number | null;
  totalBytes: number | null;
  status: string;
}

/** The `done` event: the model as clients name it, and for a `hf:` file what the download did. */
interface PullResult {
  model: string;
  served: boolean;
  bytes?: number;
  sha256?: string;
  resumed?: boolean;
  upToDate?: boolean;
}

interface PullState {
  reference: string;
  phase: 'running' | 'done' | 'failed' | 'stopped';
  status: string;
  receivedBytes?: number;
  totalBytes?: number;
  result?: PullResult;
  error?: string;
}

const example = 'hf:bartowski/Llama-3.2-1B-Instruct-GGUF/Llama-3.2-1B-Instruct-Q4_K_M.gguf';

/**
 * Pulls a model through the gateway (`hf:` files into the embedded folder, or
 * `<ollama provider>/<model>`), with a progress bar fed by the server's events.
 */
export function PullModelForm(props: { onPulled(): void }) {
  const { api } = useSession();
  const [model, setModel] = useState('');
  const [sha256, setSha256] = useState('');
  const [pull, setPull] = useState<PullState>();
  const controller = useRef<AbortController | undefined>(undefined);
  const stopped = useRef<{ reference: string; at: number } | undefined>(undefined);
  // Leaving the page stops the download; pulling again resumes it.
  useEffect(() => () => controller.current?.abort(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const reference = model.trim();
    if (!reference) {
      setPull({
        reference,
        phase: 'failed',
        status: '',
        error: `Write the model to pull, e.g. ${example} or ollama/llama3.2.`,
      });
      return;
    }
    const abort = new AbortController();
    controller.current = abort;
    let state: PullState = { reference, phase: 'running', status: 'starting' };
    const update = (next: Partial<PullState>) => {
      state = { ...state, ...next };
      setPull(state);
    };
    update({});
    const body = { model: reference, ...(sha256.trim() ? { sha256: sha256.trim() } : {}) };
    // Pulling again right after Stop: the server may still be closing the stopped download.
    const justStopped =
      stopped.current?.reference === reference && Date.now() - stopped.current.at < 10_000;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await streamPull();
          break;
        } catch (error) {
          const busy = error instanceof ApiError && error.code === 'pull_in_progress';
          if (!(justStopped && busy && attempt < 20) || abort.signal.aborted) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
      if (state.phase === 'running')
        update({ phase: 'failed', error: 'The gateway closed the stream before the pull ended.' });
    } catch (error) {
      if (abort.signal.aborted) {
        stopped.current = { reference, at: Date.now() };
        update({ phase: 'stopped' });
      } else {
        update({
          phase: 'failed',
          error: error instanceof ApiError ? error.message : String(error),
        });
      }
    } finally {
      if (controller.current === abort) controller.current = undefined;
      if (state.phase === 'done') props.onPulled();
    }

    function streamPull() {
      return api.stream(
        '/api/local-models/pull',
        (name, data) => {
          if (name === 'progress') {
            const progress = JSON.parse(data) as PullProgressEvent;
            update({
              status: progress.status,
              // Counts stay on screen through steps that report none (verifying).
              ...(progress.receivedBytes === null ? {} : { receivedBytes: progress.receivedBytes }),
              ...(progress.totalBytes === null ? {} : { totalBytes: progress.totalBytes }),
            });
          } else if (name === 'done') {
            const result = JSON.parse(data) as PullResult;
            const size = result.bytes ?? state.totalBytes;
            update({
              phase: 'done',
              status: 'done',
              result,
              ...(size === undefined ? {} : { receivedBytes: size, totalBytes: size }),
            });
          } else if (name === 'error') {
            const failure = JSON.parse(data) as { error?: { message?: string } };
            update({ phase: 'failed', error: failure.error?.message ?? 'The pull failed.' });
          }
        },
        abort.signal,
        { body },
      );
    }
  }

  const running = pull?.phase === 'running';
  return (
    <form className="card" onSubmit={submit} aria-labelledby="pull-title" data-testid="pull-form">
      <h2 id="pull-title">Pull a model</h2>
      <div className="row">
        <div className="field grow">
          <label htmlFor="pull-model">Model to pull</label>
          <input
            id="pull-model"
            value={model}
            placeholder="hf:<user>/<repo>/<file>.gguf"
            spellCheck={false}
            autoComplete="off"
            aria-describedby="pull-model-help"
            disabled={running}
            onChange={(event) => setModel(event.target.value)}
          />
        </div>
        <div className="field grow">
          <label htmlFor="pull-sha256">sha256 (optional)</label>
          <input
            id="pull-sha256"
            value={sha256}
            spellCheck={false}
            autoComplete="off"
            aria-describedby="pull-sha256-help"
            disabled={running}
            onChange={(event) => setSha256(event.target.value)}
          />
        </div>
      </div>
      <p className="help" id="pull-model-help">
        A GGUF file from Hugging Face, e.g. <code>{example}</code>, goes into the embedded
        provider's folder; <code>ollama/llama3.2</code> pulls into the Ollama provider{' '}
        <code>ollama</code>.
      </p>
      <p className="help" id="pull-sha256-help">
        Without a sha256 the file is checked against the one Hugging Face publishes. Leaving this
        page stops a download; pulling again resumes it.
      </p>
      <div className="actions">
        <button type="submit" className="primary" disabled={running}>
          {running ? 'Pulling…' : 'Pull'}
        </button>
        {running && (
          <button type="button" onClick={() => controller.current?.abort()}>
            Stop
          </button>
        )}
      </div>
      {pull && pull.phase !== 'failed' && <PullProgressView pull={pull} />}
      {pull?.phase === 'failed' && (
        <Notice
          tone="error"
          title={`Could not pull ${pull.reference || 'a model'}`}
          testId="pull-error"
        >
          <p>{pull.error}</p>
        </Notice>
      )}
      {pull?.phase === 'done' && pull.result && <PullDone result={pull.result} />}
      {pull?.phase === 'stopped' && (
        <Notice tone="warn" testId="pull-stopped">
          <p>Stopped. Pull {pull.reference} again to resume where it stopped.</p>
        </Notice>
      )}
    </form>
  );
}

function PullProgressView(props: { pull: PullState }) {
  const { receivedBytes, totalBytes, status, reference, phase } = props.pull;
  const known = receivedBytes !== undefined && totalBytes !== undefined && totalBytes > 0;
  const share = known ? Math.min(1, receivedBytes / totalBytes) : undefined;
  const amount = known
    ? `${bytes(receivedBytes)} of ${bytes(totalBytes)} (${Math.floor((share ?? 0) * 100)}%)`
    : 'size not known yet';
  return (
    <div data-testid="pull-progress">
      <label htmlFor="pull-progress-bar">
        {phase === 'done' ? 'Pulled' : phase === 'stopped' ? 'Stopped pulling' : 'Pulling'}{' '}
        {reference}
      </label>
      {/* Without a value the bar is indeterminate: nothing is counted yet. */}
      <progress
        id="pull-progress-bar"
        className="progress"
        max={known ? totalBytes : undefined}
        value={known ? receivedBytes : undefined}
        aria-valuetext={amount}
      >
        {amount}
      </progress>
      <p className="help" aria-live="polite" data-testid="pull-amount">
        {amount}
        {phase === 'running' ? ` · ${status}` : ''}
      </p>
    </div>
  );
}

function PullDone(props: { result: PullResult }) {
  const { result } = props;
  const detail = [
    result.bytes === undefined ? undefined : bytes(result.bytes),
    result.sha256 ? `sha256 ${result.sha256.slice(0, 12)}… checked` : undefined,
    result.resumed ? 'resumed' : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <Notice tone="ok" testId="pull-done">
      <p>
        {result.upToDate ? 'Already up to date' : 'Pulled'}: <code>{result.model}</code>
        {detail ? ` (${detail})` : ''}.
      </p>
      {!result.served && (
        <p>
          No embedded provider serves it yet: add one to config.yaml (
          <code>- id: local, type: embedded</code>) and restart the gateway.
        </p>
      )}
    </Notice>
  );
}
