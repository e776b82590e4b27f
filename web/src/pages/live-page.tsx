import { useEffect, useRef, useState } from 'react';
import { useSession } from '../api/session.js';
import type { AlertInfo, Incident, ModelTraffic, ResourceSample } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { useApiPaths } from '../api/use-openapi.js';
import { BarChart, LineChart, Meter } from '../components/charts.js';
import { StatusBadge } from '../components/free-badge.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { bytes, millis, when } from '../format.js';

const keptSamples = 60;

/** Resources (server-sent events), request metrics and incidents as they happen. */
export function LivePage() {
  return (
    <section aria-labelledby="live-title">
      <h1 id="live-title">Live</h1>
      <div className="grid-2">
        <ResourcesLive />
        <TrafficLive />
      </div>
      <IncidentsLive />
      <AlertsLive />
    </section>
  );
}

function ResourcesLive() {
  const { api } = useSession();
  const [samples, setSamples] = useState<ResourceSample[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'retrying'>('connecting');

  useEffect(() => {
    const controller = new AbortController();
    let delay = 1000;
    const run = async () => {
      while (!controller.signal.aborted) {
        try {
          await api.stream(
            '/api/resources/stream',
            (event, data) => {
              if (event !== 'sample') return;
              setState('live');
              delay = 1000;
              const sample = JSON.parse(data) as ResourceSample;
              setSamples((current) => [...current.slice(-(keptSamples - 1)), sample]);
            },
            controller.signal,
          );
        } catch {
          // Reconnect below.
        }
        if (controller.signal.aborted) return;
        setState('retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 15_000);
      }
    };
    run();
    return () => controller.abort();
  }, [api]);

  const last = samples.at(-1);
  return (
    <div className="card" data-testid="live-resources">
      <h2>
        Resources <span className={`live-dot live-${state}`}>{state}</span>
      </h2>
      {!last && <p>Waiting for the first sample…</p>}
      {last && (
        <>
          <Meter
            label="Memory in use"
            used={last.memory.totalBytes - last.memory.availableBytes}
            total={last.memory.totalBytes}
            text={`${bytes(last.memory.totalBytes - last.memory.availableBytes)} of ${bytes(last.memory.totalBytes)}`}
          />
          <LineChart
            label="Memory in use"
            unit="%"
            max={100}
            values={samples.map(
              (sample) =>
                (100 * (sample.memory.totalBytes - sample.memory.availableBytes)) /
                sample.memory.totalBytes,
            )}
          />
          <LineChart
            label="CPU"
            unit="%"
            max={100}
            values={samples.map((sample) => sample.cpu.usagePercent ?? 0)}
          />
          {last.gpus.map((gpu) => (
            <Meter
              key={gpu.index}
              label={`VRAM, GPU ${gpu.index}`}
              used={gpu.totalVramBytes - (gpu.freeVramBytes ?? gpu.totalVramBytes)}
              total={gpu.totalVramBytes}
              text={`${bytes(gpu.totalVramBytes - (gpu.freeVramBytes ?? gpu.totalVramBytes))} of ${bytes(gpu.totalVramBytes)}`}
            />
          ))}
          {last.gpus.length === 0 && <p className="help">No GPU on this machine.</p>}
          {last.underPressure && (
            <Notice tone="warn">Memory is short: idle models are unloaded.</Notice>
          )}
          <p className="help">
            Loaded:{' '}
            {last.loaded.length
              ? last.loaded.map((model) => `${model.providerId}/${model.id}`).join(', ')
              : 'none'}
          </p>
        </>
      )}
    </div>
  );
}

/** How the totals name requests refused before any model was chosen. */
const noModel = 'refused before a model was chosen';

function TrafficLive() {
  const { api } = useSession();
  const summary = useLoad(
    (signal) => api.get<{ models: ModelTraffic[] }>('/api/requests/summary', signal),
    'summary',
    3000,
  );
  const models = summary.data?.models ?? [];
  return (
    <div className="card" data-testid="live-traffic">
      <h2>Requests</h2>
      <ErrorNotice error={summary.error} what="read the request totals" />
      {models.length === 0 && <p>No requests recorded yet.</p>}
      {models.length > 0 && (
        <>
          <BarChart
            label="p95 latency per model"
            bars={models.slice(0, 8).map((model) => ({
              label: model.model ?? noModel,
              value: model.p95LatencyMs ?? 0,
              text: millis(model.p95LatencyMs),
            }))}
          />
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Requests</th>
                  <th scope="col">Errors</th>
                  <th scope="col">p50</th>
                  <th scope="col">Tokens</th>
                </tr>
              </thead>
              <tbody>
                {models.map((model) => (
                  <tr key={model.model ?? ''}>
                    <th scope="row">
                      {model.model === null ? noModel : <code>{model.model}</code>}
                    </th>
                    <td>{model.requests}</td>
                    <td>{model.errors}</td>
                    <td>{millis(model.p50LatencyMs)}</td>
                    <td>{model.totalTokens}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}

function IncidentsLive() {
  const { api } = useSession();
  const incidents = useLoad(
    (signal) => api.get<{ incidents: Incident[] }>('/api/incidents?limit=50', signal),
    'incidents',
    2000,
  );
  const seen = useRef<Set<string> | undefined>(undefined);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [announcement, setAnnouncement] = useState('');
  const list = incidents.data?.incidents;

  useEffect(() => {
    if (!list) return;
    if (!seen.current) {
      seen.current = new Set(list.map((incident) => incident.id));
      return;
    }
    const known = seen.current;
    const added = list.filter((incident) => !known.has(incident.id));
    if (added.length === 0) return;
    for (const incident of added) known.add(incident.id);
    setFresh(new Set(added.map((incident) => incident.id)));
    const latest = added[0];
    if (latest)
      setAnnouncement(
        `New incident: ${latest.kind.replaceAll('_', ' ')} on ${latest.model}, ${latest.action}`,
      );
  }, [list]);

  return (
    <div className="card" data-testid="live-incidents">
      <h2>Incidents</h2>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      <ErrorNotice error={incidents.error} what="read the incidents" />
      {list && list.length === 0 && <p>No incidents: every model answered.</p>}
      {list && list.length > 0 && (
        <ol className="incidents">
          {list.map((incident) => (
            <li
              key={incident.id}
              className={fresh.has(incident.id) ? 'fresh' : undefined}
              data-kind={incident.kind}
            >
              <span className="incident-time">{when(incident.at)}</span>{' '}
              <strong>{incident.kind.replaceAll('_', ' ')}</strong> <code>{incident.model}</code>
              <p>
                {incident.cause} → {incident.action}
              </p>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function AlertsLive() {
  const paths = useApiPaths(['/api/alerts']);
  if (paths === undefined) return null;
  if (paths.length === 0)
    return (
      <div className="card" data-testid="live-alerts">
        <h2>Alerts</h2>
        <p>
          Alerts are not available on this server (no <code>/api/alerts</code> route). Incidents
          above show every switch, breaker change and key problem.
        </p>
      </div>
    );
  return <AlertsList />;
}

function AlertsList() {
  const { api } = useSession();
  const alerts = useLoad(
    (signal) => api.get<{ alerts: AlertInfo[] }>('/api/alerts?limit=20', signal),
    'alerts',
    5000,
  );
  const list = alerts.data?.alerts ?? [];
  const open = list.filter((alert) => alert.status === 'open');
  return (
    <div className="card" data-testid="live-alerts">
      <h2>Alerts</h2>
      <ErrorNotice error={alerts.error} what="read the alerts" />
      {alerts.data && list.length === 0 && <p>No alerts: every model is within its thresholds.</p>}
      {list.length > 0 && (
        <p className="help">
          {open.length} open, {list.length - open.length} cleared.
        </p>
      )}
      <ul className="plain">
        {list.map((alert) => (
          <li key={alert.id}>
            <StatusBadge status={alert.status} />{' '}
            <span className="incident-time">{when(alert.openedAt)}</span> {alert.message}
            {suggestionText(alert.suggestion) && (
              <p className="help">{suggestionText(alert.suggestion)}</p>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The suggestion's words, whatever its exact shape. */
function suggestionText(suggestion: unknown): string | undefined {
  if (typeof suggestion === 'string') return suggestion;
  const text = (suggestion as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : undefined;
}
