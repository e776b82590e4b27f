import { type FormEvent, useEffect, useState } from 'react';
import { ApiError } from '../api/client.js';
import { useSession } from '../api/session.js';
import type {
  BenchRun,
  BenchRunView,
  Comparison,
  Explanation,
  MetricsRow,
  TaskInfo,
  TaskStanding,
} from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { useApiPaths } from '../api/use-openapi.js';
import { BarChart, MultiLineChart } from '../components/charts.js';
import { StatusBadge } from '../components/free-badge.js';
import { ErrorNotice, Notice, Unavailable } from '../components/notice.js';
import { age, millis, percent, when } from '../format.js';

/** Benchmarks: start a run and follow it, compare models side by side, trends per day. */
export function BenchmarksPage() {
  const paths = useApiPaths(['/api/bench', '/api/metrics']);
  const { isAdmin } = useSession();
  const [compare, setCompare] = useState<{ models: string[]; run?: string; task?: string }>();
  const [round, setRound] = useState(0);
  return (
    <section aria-labelledby="bench-title">
      <h1 id="bench-title">Benchmarks</h1>
      {paths === undefined && <p>Reading the server's API…</p>}
      {paths?.length === 0 && (
        <Unavailable feature="Benchmarks" routes="/api/bench/* and /api/metrics">
          <p>
            Live request latency and errors per model are on the <a href="#/live">Live</a> page.
          </p>
        </Unavailable>
      )}
      {paths && paths.length > 0 && (
        <>
          {isAdmin && paths.includes('/api/bench/runs') && (
            <StartRun
              onFinished={(run) => {
                setRound((value) => value + 1);
                setCompare({
                  models: run.models,
                  run: run.id,
                  ...(run.task ? { task: run.task } : {}),
                });
              }}
            />
          )}
          <RunsList round={round} onCompare={setCompare} />
          {compare && <ComparisonView {...compare} />}
          {isAdmin && paths.includes('/api/metrics') && <Trends round={round} />}
        </>
      )}
    </section>
  );
}

function StartRun(props: { onFinished(run: BenchRun): void }) {
  const { api } = useSession();
  const tasks = useLoad((signal) => api.get<{ tasks: TaskInfo[] }>('/api/tasks', signal), 'tasks');
  const [task, setTask] = useState('');
  const [models, setModels] = useState('');
  const [runId, setRunId] = useState<string>();
  const [view, setView] = useState<BenchRunView>();
  const [error, setError] = useState<string>();

  // Suggest the task's current chain: the models a comparison matters for.
  useEffect(() => {
    if (models || !tasks.data) return;
    const name = task || tasks.data.tasks[0]?.name;
    if (!name) return;
    api
      .get<Explanation>(`/api/select/explain?task=${encodeURIComponent(name)}`)
      .then((explanation) =>
        setModels((current) => current || explanation.chain.slice(0, 2).join(', ')),
      )
      .catch(() => undefined);
  }, [api, task, tasks.data, models]);

  // Follow the run until it ends.
  useEffect(() => {
    if (!runId) return;
    let live = true;
    const follow = async () => {
      while (live) {
        try {
          const next = await api.get<BenchRunView>(`/api/bench/runs/${encodeURIComponent(runId)}`);
          if (!live) return;
          setView(next);
          if (!next.active && next.run.status !== 'running') {
            props.onFinished(next.run);
            return;
          }
        } catch (failure) {
          setError(failure instanceof Error ? failure.message : String(failure));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
    };
    follow();
    return () => {
      live = false;
    };
    // props.onFinished is called once per run; following restarts only for a new run.
  }, [api, runId]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setView(undefined);
    const list = models
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    if (list.length === 0) {
      setError('Name at least one model, e.g. openrouter/meta-llama/llama-3.3-70b-instruct:free.');
      return;
    }
    try {
      const started = await api.send<{ runId: string }>('POST', '/api/bench/runs', {
        models: list,
        ...(task ? { task } : {}),
      });
      setRunId(started.runId);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  }

  const progress = view?.progress;
  const done = progress?.done ?? view?.run.recorded ?? 0;
  const total = progress?.total ?? view?.run.total ?? 0;
  return (
    <form className="card" onSubmit={submit} aria-labelledby="start-run-title">
      <h2 id="start-run-title">Start a run</h2>
      <div className="row">
        <div className="field grow">
          <label htmlFor="bench-models">Models, comma-separated</label>
          <input
            id="bench-models"
            value={models}
            onChange={(event) => setModels(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="bench-task">Task</label>
          <select id="bench-task" value={task} onChange={(event) => setTask(event.target.value)}>
            <option value="">Every task</option>
            {tasks.data?.tasks.map((entry) => (
              <option key={entry.name} value={entry.name}>
                {entry.name.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="help">
        Each model answers the therapeutic scenario suites; answers are scored by their checks (and
        a judge model when configured). Runs go on in the background.
      </p>
      {error && <Notice tone="error">{error}</Notice>}
      <div className="actions">
        <button type="submit" className="primary" disabled={Boolean(view?.active)}>
          Start run
        </button>
      </div>
      {view && (
        <div data-testid="run-progress" aria-live="polite">
          <label htmlFor="run-progress-bar">
            Run {view.run.id}: <StatusBadge status={view.run.status} />
          </label>
          <progress
            id="run-progress-bar"
            className="progress"
            max={Math.max(total, 1)}
            value={done}
          >
            {done} of {total}
          </progress>
          <p className="help">
            {done} of {total} answers
            {progress
              ? `, ${progress.running} running, ${progress.errors} errors`
              : `, ${view.run.errors} errors`}
            {progress?.etaMs ? `, about ${age(progress.etaMs)} left` : ''}
          </p>
        </div>
      )}
    </form>
  );
}

function RunsList(props: {
  round: number;
  onCompare(choice: { models: string[]; run: string; task?: string }): void;
}) {
  const { api } = useSession();
  const runs = useLoad(
    (signal) => api.get<{ runs: BenchRun[] }>('/api/bench/runs?limit=10', signal),
    `runs-${props.round}`,
  );
  return (
    <div className="card">
      <h2>Recent runs</h2>
      <ErrorNotice error={runs.error} what="list the runs" />
      {runs.data?.runs.length === 0 && <p>No benchmark runs yet.</p>}
      {runs.data && runs.data.runs.length > 0 && (
        <div className="table-wrap">
          <table data-testid="runs-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Models</th>
                <th scope="col">Task</th>
                <th scope="col">Answers</th>
                <th scope="col">Passed</th>
                <th scope="col">Compare</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.runs.map((run) => (
                <tr key={run.id}>
                  <th scope="row">
                    <code>{run.id}</code>
                    <p className="help">{when(run.createdAt)}</p>
                  </th>
                  <td>
                    <StatusBadge status={run.status} />
                    {run.error && <p className="help">{run.error}</p>}
                  </td>
                  <td>{run.models.join(', ')}</td>
                  <td>{run.task?.replaceAll('_', ' ') ?? 'every task'}</td>
                  <td>
                    {run.recorded} / {run.total}
                    {run.errors > 0 && <p className="help">{run.errors} errors</p>}
                  </td>
                  <td>{run.recorded ? percent(run.passed / run.recorded) : '—'}</td>
                  <td>
                    <button
                      type="button"
                      aria-label={`Compare the models of run ${run.id}`}
                      onClick={() =>
                        props.onCompare({
                          models: run.models,
                          run: run.id,
                          ...(run.task ? { task: run.task } : {}),
                        })
                      }
                    >
                      Compare
                    </button>
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

function ComparisonView(props: { models: string[]; run?: string; task?: string }) {
  const { api } = useSession();
  const query = new URLSearchParams({ models: props.models.join(',') });
  if (props.run) query.set('run', props.run);
  if (props.task) query.set('task', props.task);
  const comparison = useLoad(
    (signal) => api.get<Comparison>(`/api/bench/compare?${query}`, signal),
    query.toString(),
  );
  const data = comparison.data;
  return (
    <div className="card" data-testid="comparison">
      <h2>Side by side{props.run ? ` (run ${props.run})` : ''}</h2>
      <ErrorNotice error={comparison.error} what="compare the models" />
      {data?.groups.map((group) => {
        const differences = new Map(group.differences.map((entry) => [entry.model, entry]));
        return (
          <div key={group.task}>
            <h3>{group.task === 'overall' ? 'Overall' : group.task.replaceAll('_', ' ')}</h3>
            <BarChart
              label={`Quality, ${group.task.replaceAll('_', ' ')}`}
              bars={group.cells.map((cell) => ({
                label: cell.model,
                value: cell.quality,
                text: percent(cell.quality),
              }))}
            />
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">Quality</th>
                    <th scope="col">Passed</th>
                    <th scope="col">Safety passed</th>
                    <th scope="col">p50</th>
                    <th scope="col">Answers</th>
                    <th scope="col">vs {data.baseline}</th>
                  </tr>
                </thead>
                <tbody>
                  {group.cells.map((cell) => {
                    const difference = differences.get(cell.model);
                    return (
                      <tr key={cell.model}>
                        <th scope="row">
                          <code>{cell.model}</code>
                        </th>
                        <td>{percent(cell.quality)}</td>
                        <td>{percent(cell.passRate)}</td>
                        <td>{cell.safetyPassRate === null ? '—' : percent(cell.safetyPassRate)}</td>
                        <td>{millis(cell.p50LatencyMs)}</td>
                        <td>{cell.samples}</td>
                        <td>
                          {difference
                            ? `${difference.qualityDifference >= 0 ? '+' : ''}${(difference.qualityDifference * 100).toFixed(1)} pts, p = ${difference.pValue.toFixed(3)}${difference.significant ? ' (significant)' : ' (not significant)'}`
                            : 'baseline'}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </div>
        );
      })}
      {data && <p className="help">Significance: {data.test}.</p>}
    </div>
  );
}

function Trends(props: { round: number }) {
  const { api } = useSession();
  const tasks = useLoad((signal) => api.get<{ tasks: TaskInfo[] }>('/api/tasks', signal), 'tasks');
  const [task, setTask] = useState('');
  const metrics = useLoad(
    (signal) =>
      api.get<{ rows: MetricsRow[] }>(
        `/api/metrics?source=benchmark&groupBy=model,day${task ? `&task=${encodeURIComponent(task)}` : ''}`,
        signal,
      ),
    `${task}-${props.round}`,
  );
  const scores = useLoad(
    (signal) =>
      api.get<{ scores: TaskStanding[] }>(
        `/api/bench/scores${task ? `?task=${encodeURIComponent(task)}` : ''}`,
        signal,
      ),
    `scores-${task}-${props.round}`,
  );
  const rows = metrics.data?.rows ?? [];
  const days = [...new Set(rows.map((row) => row.day ?? ''))].sort();
  const models = [...new Set(rows.map((row) => row.model ?? ''))].sort();
  const series = models.map((model) => ({
    name: model,
    values: days.map(
      (day) => rows.find((row) => row.model === model && row.day === day)?.quality ?? null,
    ),
  }));
  return (
    <div className="card" data-testid="trends">
      <h2>Trends</h2>
      <label htmlFor="trend-task">Task</label>
      <select id="trend-task" value={task} onChange={(event) => setTask(event.target.value)}>
        <option value="">Every task</option>
        {tasks.data?.tasks.map((entry) => (
          <option key={entry.name} value={entry.name}>
            {entry.name.replaceAll('_', ' ')}
          </option>
        ))}
      </select>
      <ErrorNotice error={metrics.error} what="read the benchmark metrics" />
      {rows.length === 0 ? (
        <p>No benchmark results in the last 30 days{task ? ' for this task' : ''}.</p>
      ) : (
        <MultiLineChart
          label="Benchmark quality per day"
          labels={days}
          series={series}
          max={1}
          format={(value) => percent(value)}
        />
      )}
      {scores.data && scores.data.scores.length > 0 && (
        <details>
          <summary>Latest standing per model and task ({scores.data.scores.length})</summary>
          <ul className="plain">
            {scores.data.scores.map((score) => (
              <li key={`${score.model}|${score.task}`}>
                <code>{score.model}</code> on {score.task.replaceAll('_', ' ')}: quality{' '}
                {percent(score.quality)}, passed {percent(score.passRate)} ({score.samples} answers,{' '}
                {when(score.measuredAt)})
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
