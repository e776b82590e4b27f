import { useEffect, useMemo, useRef, useState } from 'react';
import { useSession } from '../api/session.js';
import type { CatalogAnswer, CatalogItem, Explanation, TaskInfo } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { FreeBadge } from '../components/free-badge.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { age, perMillion, tokens } from '../format.js';
import { ModelDetailPanel } from './model-detail.js';

interface Filters {
  search: string;
  price: '' | 'free' | 'paid';
  provider: string;
  modality: string;
  minContext: string;
  maxPrice: string;
  sort: string;
  task: string;
}

const initial: Filters = {
  search: '',
  price: '',
  provider: '',
  modality: '',
  minContext: '',
  maxPrice: '',
  sort: 'default',
  task: '',
};

const pageSize = 200;

/** The catalog: every provider's models, filtered on the server, FREE ones marked. */
export function CatalogPage() {
  const { api, isAdmin } = useSession();
  const [filters, setFilters] = useState<Filters>(initial);
  const [query, setQuery] = useState('');
  const [shown, setShown] = useState(pageSize);
  const [chosen, setChosen] = useState<string>();
  const publishers = useRef<string[]>([]);

  // Typing waits a moment before asking the server; the other filters apply at once.
  useEffect(() => {
    const parameters = new URLSearchParams();
    if (filters.search.trim()) parameters.set('search', filters.search.trim());
    if (filters.price) parameters.set('free', filters.price === 'free' ? 'true' : 'false');
    if (filters.provider) parameters.set('provider', filters.provider);
    if (filters.modality) parameters.set('modality', filters.modality);
    if (filters.minContext) parameters.set('minContext', filters.minContext);
    if (filters.maxPrice && Number(filters.maxPrice) >= 0)
      parameters.set('maxPrice', filters.maxPrice);
    if (filters.sort !== 'default') parameters.set('sort', filters.sort);
    const next = parameters.toString();
    const timer = setTimeout(() => setQuery(next), next.includes('search=') ? 250 : 0);
    return () => clearTimeout(timer);
  }, [filters]);

  const catalog = useLoad(
    (signal) => api.get<CatalogAnswer>(`/api/catalog?${query}`, signal),
    query,
  );
  const tasks = useLoad((signal) => api.get<{ tasks: TaskInfo[] }>('/api/tasks', signal), 'tasks');
  const scores = useLoad(
    (signal) =>
      filters.task
        ? api.get<Explanation>(
            `/api/select/explain?task=${encodeURIComponent(filters.task)}`,
            signal,
          )
        : Promise.resolve(undefined),
    filters.task,
  );

  const meta = catalog.data?.meta;
  const models = catalog.data?.models ?? [];
  if (!filters.provider && models.length > 0 && query === '') {
    publishers.current = [...new Set(models.map((model) => model.ownedBy).filter(isText))].sort();
  }
  const providerIds = meta?.providers.map((provider) => provider.providerId) ?? [];
  const limits = new Map(meta?.freeLimits.map((entry) => [entry.providerId, entry.summary]) ?? []);
  const scoreOf = useMemo(() => {
    const map = new Map<string, string>();
    for (const ranked of scores.data?.ranked ?? []) map.set(ranked.model, ranked.score.toFixed(2));
    for (const excluded of scores.data?.excluded ?? [])
      map.set(excluded.model, `excluded: ${excluded.reasons.join('; ')}`);
    return map;
  }, [scores.data]);

  const set = <K extends keyof Filters>(name: K, value: Filters[K]) => {
    setFilters((current) => ({ ...current, [name]: value }));
    setShown(pageSize);
  };

  return (
    <section aria-labelledby="catalog-title" className={chosen ? 'with-panel' : undefined}>
      <div className="page-main">
        <h1 id="catalog-title">Model catalog</h1>
        {meta?.setup.needed && (
          <Notice tone="warn" title="No model provider is configured">
            <p>
              {isAdmin ? (
                <>
                  <a href="#/setup">Set one up</a> to fill the catalog.
                </>
              ) : (
                'Ask the administrator to run the setup.'
              )}
            </p>
          </Notice>
        )}
        {meta?.offline && <OfflineBanner meta={meta} />}
        {meta?.notices
          .filter((notice) => !notice.includes('offline, cached at') && !meta.setup.needed)
          .map((notice) => (
            <Notice key={notice} tone="warn">
              {notice}
            </Notice>
          ))}
        <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filters">
          <div className="field grow">
            <label htmlFor="filter-search">Search</label>
            <input
              id="filter-search"
              type="search"
              value={filters.search}
              placeholder="name or description"
              onChange={(event) => set('search', event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="filter-price">Price</label>
            <select
              id="filter-price"
              value={filters.price}
              onChange={(event) => set('price', event.target.value as Filters['price'])}
            >
              <option value="">Free and paid</option>
              <option value="free">Free only</option>
              <option value="paid">Paid only</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-provider">Provider</label>
            <select
              id="filter-provider"
              value={filters.provider}
              onChange={(event) => set('provider', event.target.value)}
            >
              <option value="">All</option>
              <optgroup label="Configured providers">
                {providerIds.map((id) => (
                  <option key={id} value={id}>
                    {id}
                  </option>
                ))}
              </optgroup>
              {publishers.current.length > 0 && (
                <optgroup label="Publishers">
                  {publishers.current.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-modality">Modality</label>
            <select
              id="filter-modality"
              value={filters.modality}
              onChange={(event) => set('modality', event.target.value)}
            >
              <option value="">Any</option>
              <option value="text">Text</option>
              <option value="image">Image</option>
              <option value="audio">Audio</option>
              <option value="file">File</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-context">Context at least</label>
            <select
              id="filter-context"
              value={filters.minContext}
              onChange={(event) => set('minContext', event.target.value)}
            >
              <option value="">Any</option>
              <option value="8000">8k tokens</option>
              <option value="32000">32k tokens</option>
              <option value="100000">100k tokens</option>
              <option value="1000000">1M tokens</option>
            </select>
          </div>
          <div className="field narrow">
            <label htmlFor="filter-max-price">Max $ / M tokens</label>
            <input
              id="filter-max-price"
              type="number"
              min="0"
              step="0.1"
              inputMode="decimal"
              value={filters.maxPrice}
              onChange={(event) => set('maxPrice', event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="filter-sort">Sort</label>
            <select
              id="filter-sort"
              value={filters.sort}
              onChange={(event) => set('sort', event.target.value)}
            >
              <option value="default">Free first</option>
              <option value="name">Name</option>
              <option value="price">Price</option>
              <option value="context">Context</option>
              <option value="newest">Newest</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-task">Score for task</label>
            <select
              id="filter-task"
              value={filters.task}
              onChange={(event) => set('task', event.target.value)}
            >
              <option value="">None</option>
              {tasks.data?.tasks.map((task) => (
                <option key={task.name} value={task.name}>
                  {task.name.replaceAll('_', ' ')}
                </option>
              ))}
            </select>
          </div>
          <button type="button" onClick={() => setFilters(initial)}>
            Clear filters
          </button>
        </form>
        <ErrorNotice error={catalog.error} what="read the catalog" />
        <p className="count" aria-live="polite" data-testid="catalog-count">
          {catalog.loading && !catalog.data
            ? 'Loading the catalog…'
            : `${models.length} of ${meta?.total ?? 0} models`}
        </p>
        <div className="table-wrap">
          <table className="models" data-testid="catalog-table">
            <caption className="visually-hidden">Models matching the filters</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Provider</th>
                <th scope="col">$ in / out per M</th>
                <th scope="col">Context</th>
                <th scope="col" className="hide-narrow">
                  Modalities
                </th>
                {filters.task && <th scope="col">Task score</th>}
              </tr>
            </thead>
            <tbody>
              {models.slice(0, shown).map((model) => (
                <ModelRow
                  key={model.name}
                  model={model}
                  limits={limits.get(model.providerId)}
                  score={filters.task ? (scoreOf.get(model.name) ?? '—') : undefined}
                  chosen={model.name === chosen}
                  onChoose={() => setChosen(model.name)}
                />
              ))}
            </tbody>
          </table>
        </div>
        {models.length > shown && (
          <button type="button" onClick={() => setShown(models.length)}>
            Show all {models.length} models
          </button>
        )}
      </div>
      {chosen && (
        <ModelDetailPanel name={chosen} onChoose={setChosen} onClose={() => setChosen(undefined)} />
      )}
    </section>
  );
}

function ModelRow(props: {
  model: CatalogItem;
  limits: string | undefined;
  score: string | undefined;
  chosen: boolean;
  onChoose(): void;
}) {
  const { model } = props;
  const modalities = `${(model.inputModalities ?? ['text']).join('+')} → ${(model.outputModalities ?? ['text']).join('+')}`;
  return (
    <tr className={props.chosen ? 'chosen' : undefined} data-free={model.isFree}>
      <th scope="row">
        <button type="button" className="link-button model-name" onClick={props.onChoose}>
          {model.displayName ?? model.id}
        </button>
        <code className="model-id">{model.name}</code>
      </th>
      <td>
        {model.providerId}
        {model.local && <span className="badge badge-neutral">local</span>}
      </td>
      <td>
        {model.isFree ? (
          <FreeBadge
            limits={model.local ? 'Runs on this machine: no limits, no cost.' : props.limits}
          />
        ) : (
          `${perMillion(model.pricing?.prompt)} / ${perMillion(model.pricing?.completion)}`
        )}
      </td>
      <td>{tokens(model.contextLength)}</td>
      <td className="hide-narrow">{modalities}</td>
      {props.score !== undefined && <td>{props.score}</td>}
    </tr>
  );
}

function OfflineBanner(props: { meta: CatalogAnswer['meta'] }) {
  const offline = props.meta.providers.filter((provider) => provider.state === 'offline');
  return (
    <Notice tone="warn" title="Offline — showing the cached catalog" testId="offline-banner">
      <ul className="plain">
        {offline.map((provider) => (
          <li key={provider.providerId}>
            {provider.providerId}: cached at{' '}
            {provider.syncedAt ? new Date(provider.syncedAt).toLocaleString() : 'unknown'} (
            {age(provider.ageMs ?? 0)} ago); the last sync failed: {provider.error}
          </li>
        ))}
      </ul>
    </Notice>
  );
}

function isText(value: string | undefined): value is string {
  return typeof value === 'string' && value.length > 0;
}
