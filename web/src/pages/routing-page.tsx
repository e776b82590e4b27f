import { type FormEvent, useEffect, useState } from 'react';
import { ApiError } from '../api/client.js';
import { useSession } from '../api/session.js';
import type { Explanation, Preferences, TaskInfo } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { percent } from '../format.js';

/** Per task: the chosen model, the fallback chain and why; and the caller's preferences. */
export function RoutingPage() {
  const { api } = useSession();
  const tasks = useLoad((signal) => api.get<{ tasks: TaskInfo[] }>('/api/tasks', signal), 'tasks');
  const [task, setTask] = useState('');
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!task && tasks.data?.tasks[0]) setTask(tasks.data.tasks[0].name);
  }, [task, tasks.data]);
  const explanation = useLoad(
    (signal) =>
      task
        ? api.get<Explanation>(`/api/select/explain?task=${encodeURIComponent(task)}`, signal)
        : Promise.resolve(undefined),
    `${task}|${round}`,
  );
  const description = tasks.data?.tasks.find((entry) => entry.name === task)?.description;

  return (
    <section aria-labelledby="routing-title">
      <h1 id="routing-title">Routing</h1>
      <p className="lead">
        TTA sends a task (<code>x-tta-task</code> with <code>model: "auto"</code>); the gateway
        picks the model and the fallback chain behind it.
      </p>
      <div className="card">
        <label htmlFor="routing-task">Task</label>
        <select id="routing-task" value={task} onChange={(event) => setTask(event.target.value)}>
          {tasks.data?.tasks.map((entry) => (
            <option key={entry.name} value={entry.name}>
              {entry.name.replaceAll('_', ' ')}
            </option>
          ))}
        </select>
        {description && <p className="help">{description}</p>}
      </div>
      <ErrorNotice error={tasks.error ?? explanation.error} what="explain the choice" />
      {explanation.data && <ExplanationView explanation={explanation.data} />}
      <PreferencesForm onSaved={() => setRound((value) => value + 1)} />
      <p className="help">
        Pinned versions, rollbacks and deprecation notices are on the{' '}
        <a href="#/versions">Versions</a> page.
      </p>
    </section>
  );
}

function ExplanationView(props: { explanation: Explanation }) {
  const { explanation } = props;
  return (
    <div className="card" data-testid="explanation">
      <h2>Chosen for {explanation.task.replaceAll('_', ' ')}</h2>
      {explanation.chosen ? (
        <p className="chosen-model">
          <code data-testid="chosen-model">{explanation.chosen}</code>
        </p>
      ) : (
        <Notice tone="error" title="No model qualifies for this task">
          <p>Every model was excluded; the reasons are below.</p>
        </Notice>
      )}
      <h3>Fallback chain</h3>
      <ol className="chain" data-testid="chain">
        {explanation.chain.map((model) => (
          <li key={model}>
            <code>{model}</code>
          </li>
        ))}
      </ol>
      <h3>Why</h3>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Score</th>
              <th scope="col">Quality</th>
              <th scope="col">Latency</th>
              <th scope="col">Cost</th>
              <th scope="col">Health</th>
              <th scope="col">Basis</th>
            </tr>
          </thead>
          <tbody>
            {explanation.ranked.slice(0, 10).map((ranked) => (
              <tr key={ranked.model}>
                <th scope="row">
                  <code>{ranked.model}</code>
                </th>
                <td>{ranked.score.toFixed(3)}</td>
                <td>{percent(ranked.parts.quality)}</td>
                <td>{percent(ranked.parts.latency)}</td>
                <td>{percent(ranked.parts.cost)}</td>
                <td>{percent(ranked.parts.health)}</td>
                <td>{ranked.basis.join('; ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {explanation.ranked.length > 10 && (
        <p className="help">…and {explanation.ranked.length - 10} more that qualify.</p>
      )}
      {explanation.excluded.length > 0 && (
        <details>
          <summary>{explanation.excluded.length} excluded model(s)</summary>
          <ul className="plain">
            {explanation.excluded.map((excluded) => (
              <li key={excluded.model}>
                <code>{excluded.model}</code>: {excluded.reasons.join('; ')}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function PreferencesForm(props: { onSaved(): void }) {
  const { api, isAdmin } = useSession();
  const stored = useLoad(
    (signal) => api.get<{ preferences: Preferences }>('/api/preferences', signal),
    'preferences',
  );
  const [saved, setSaved] = useState<string>();
  const [error, setError] = useState<string>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const favourite = String(data.get('favourite') ?? '').trim();
    const avoid = String(data.get('avoid') ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const preferences: Preferences = {
      ...(data.get('localOnly') === 'on' ? { localOnly: true } : {}),
      ...(data.get('freeOnly') === 'on' ? { freeOnly: true } : {}),
      ...(favourite ? { favourite } : {}),
      ...(avoid.length ? { avoid } : {}),
    };
    try {
      await api.send('PUT', '/api/preferences', preferences);
      setError(undefined);
      setSaved('Saved. The explanation above uses them now.');
      props.onSaved();
    } catch (failure) {
      setSaved(undefined);
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  }

  const preferences = stored.data?.preferences;
  if (!preferences) return <ErrorNotice error={stored.error} what="read your preferences" />;
  return (
    <form className="card" onSubmit={submit} aria-labelledby="preferences-title">
      <h2 id="preferences-title">{isAdmin ? 'Operator preferences' : 'Your preferences'}</h2>
      <label className="check">
        <input type="checkbox" name="localOnly" defaultChecked={preferences.localOnly} /> Only
        models on this machine (nothing leaves it)
      </label>
      <label className="check">
        <input type="checkbox" name="freeOnly" defaultChecked={preferences.freeOnly} /> Only free
        models
      </label>
      <label htmlFor="pref-favourite">Favourite model (tried first when it qualifies)</label>
      <input
        id="pref-favourite"
        name="favourite"
        defaultValue={preferences.favourite ?? ''}
        placeholder="provider/model"
      />
      <label htmlFor="pref-avoid">Models to avoid, one per line</label>
      <textarea
        id="pref-avoid"
        name="avoid"
        rows={3}
        defaultValue={(preferences.avoid ?? []).join('\n')}
      />
      {error && <Notice tone="error">{error}</Notice>}
      {saved && <Notice tone="ok">{saved}</Notice>}
      <div className="actions">
        <button type="submit" className="primary">
          Save preferences
        </button>
      </div>
    </form>
  );
}
