import { useState } from 'react';
import { ApiError } from '../api/client.js';
import { useSession } from '../api/session.js';
import type { LocalModel, ResourceReport } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { Meter } from '../components/charts.js';
import { StatusBadge } from '../components/free-badge.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { bytes, tokens } from '../format.js';
import { PullModelForm } from './pull-model-form.js';

interface Outcome {
  model: string;
  tone: 'ok' | 'error';
  text: string;
  reasons: string[];
}

/** Local models beside what this machine has: what each needs, whether it fits, load, unload and pull. */
export function LocalModelsPage() {
  const { api } = useSession();
  const models = useLoad(
    (signal) => api.get<{ models: LocalModel[] }>('/api/local-models', signal),
    'local-models',
  );
  const resources = useLoad(
    (signal) => api.get<ResourceReport>('/api/resources', signal),
    'resources',
    10_000,
  );
  const [busy, setBusy] = useState<string>();
  const [outcome, setOutcome] = useState<Outcome>();

  async function load(model: LocalModel) {
    setBusy(model.name);
    setOutcome(undefined);
    try {
      // A one-token request loads the model through the same admission check as real traffic.
      await api.send('POST', '/v1/chat/completions', {
        model: model.name,
        messages: [{ role: 'user', content: 'Hello' }],
        max_tokens: 1,
      });
      setOutcome({ model: model.name, tone: 'ok', text: `${model.name} is loaded.`, reasons: [] });
    } catch (error) {
      const reasons =
        error instanceof ApiError
          ? ((
              error.body as { error?: { recommendations?: Array<{ message: string }> } } | null
            )?.error?.recommendations?.map((recommendation) => recommendation.message) ?? [])
          : [];
      setOutcome({
        model: model.name,
        tone: 'error',
        text: `${model.name} was not loaded: ${error instanceof Error ? error.message : String(error)}`,
        reasons,
      });
    } finally {
      setBusy(undefined);
      models.reload();
      resources.reload();
    }
  }

  async function unload(model: LocalModel) {
    setBusy(model.name);
    try {
      const answer = await api.send<{ unloaded: boolean }>('POST', '/api/local-models/unload', {
        model: model.name,
      });
      setOutcome({
        model: model.name,
        tone: 'ok',
        text: answer.unloaded ? `${model.name} is unloaded.` : `${model.name} was not in memory.`,
        reasons: [],
      });
    } catch (error) {
      setOutcome({
        model: model.name,
        tone: 'error',
        text: String((error as Error).message),
        reasons: [],
      });
    } finally {
      setBusy(undefined);
      models.reload();
      resources.reload();
    }
  }

  const report = resources.data;
  return (
    <section aria-labelledby="local-title">
      <h1 id="local-title">Local models</h1>
      <ErrorNotice error={resources.error} what="read this machine" />
      {report && <MachineSummary report={report} />}
      {outcome && (
        <Notice tone={outcome.tone} testId="local-outcome">
          <p>{outcome.text}</p>
          {outcome.reasons.length > 0 && (
            <ul>
              {outcome.reasons.map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
          )}
        </Notice>
      )}
      <ErrorNotice error={models.error} what="list the local models" />
      {models.data && models.data.models.length === 0 && (
        <p>
          No local models. Pull one below, start Ollama or a llama.cpp server, or put GGUF files in
          an embedded provider's folder.
        </p>
      )}
      {models.data && models.data.models.length > 0 && (
        <div className="table-wrap">
          <table data-testid="local-table">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Size</th>
                <th scope="col">Needs RAM</th>
                <th scope="col">Needs VRAM</th>
                <th scope="col">Fits now</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {models.data.models.map((model) => (
                <tr key={model.name}>
                  <th scope="row">
                    <code>{model.name}</code>
                    <p className="help">
                      {[model.family, model.parameterSize, model.quantization]
                        .filter(Boolean)
                        .join(' · ')}
                      {model.need?.contextSize
                        ? ` · ${tokens(model.need.contextSize)} context`
                        : ''}
                    </p>
                  </th>
                  <td>{bytes(model.sizeBytes)}</td>
                  <td>
                    {bytes(model.need?.ramBytes)}
                    {report && (
                      <span className="help"> of {bytes(report.available.ramBytes)} usable</span>
                    )}
                  </td>
                  <td>
                    {model.need?.vramBytes ? bytes(model.need.vramBytes) : '—'}
                    {report && report.snapshot.gpus.length > 0 && (
                      <span className="help"> of {bytes(report.available.vramBytes)} usable</span>
                    )}
                  </td>
                  <td>
                    <StatusBadge status={model.fits} />
                    {model.shortfalls.map((shortfall) => (
                      <p key={shortfall} className="help">
                        {shortfall}
                      </p>
                    ))}
                  </td>
                  <td>{model.loaded ? 'loaded' : 'not loaded'}</td>
                  <td className="actions">
                    {model.loaded ? (
                      <button
                        type="button"
                        disabled={busy === model.name}
                        aria-label={`Unload ${model.name}`}
                        onClick={() => unload(model)}
                      >
                        Unload
                      </button>
                    ) : (
                      <button
                        type="button"
                        disabled={busy === model.name}
                        aria-label={`Load ${model.name}`}
                        onClick={() => load(model)}
                      >
                        {busy === model.name ? 'Loading…' : 'Load'}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PullModelForm
        onPulled={() => {
          models.reload();
          resources.reload();
        }}
      />
    </section>
  );
}

function MachineSummary(props: { report: ResourceReport }) {
  const { snapshot, available } = props.report;
  const used = snapshot.memory.totalBytes - snapshot.memory.availableBytes;
  return (
    <div className="card" data-testid="machine-summary">
      <h2>This machine</h2>
      {props.report.underPressure && (
        <Notice tone="warn" title="Memory is short">
          Idle models are being unloaded and new ones load with a smaller context.
        </Notice>
      )}
      <Meter
        label="Memory in use"
        used={used}
        total={snapshot.memory.totalBytes}
        text={`${bytes(used)} of ${bytes(snapshot.memory.totalBytes)}`}
      />
      {snapshot.gpus.map((gpu) => (
        <Meter
          key={gpu.index}
          label={`GPU ${gpu.index}: ${gpu.name}`}
          used={gpu.totalVramBytes - (gpu.freeVramBytes ?? gpu.totalVramBytes)}
          total={gpu.totalVramBytes}
          text={
            gpu.freeVramBytes === undefined
              ? `${bytes(gpu.totalVramBytes)} (free memory not reported)`
              : `${bytes(gpu.totalVramBytes - gpu.freeVramBytes)} of ${bytes(gpu.totalVramBytes)}`
          }
        />
      ))}
      <p>
        A new model may use {bytes(available.ramBytes)} of RAM
        {snapshot.gpus.length > 0
          ? ` and ${bytes(available.vramBytes)} of GPU memory`
          : ' (no GPU found)'}
        , keeping {bytes(available.safetyMarginBytes)} free. {snapshot.cpu.logicalCores} CPU cores (
        {snapshot.cpu.model}).
      </p>
    </div>
  );
}
