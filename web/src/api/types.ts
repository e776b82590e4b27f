/**
 * The shapes the dashboard reads from the gateway's API, as the server sends them
 * (only the fields the pages use). The OpenAPI document at /openapi.json lists the routes.
 */

/** `GET /api/me`. */
export interface Me {
  kind: 'admin' | 'user' | 'client' | 'anonymous';
  name: string | null;
  owner: string | null;
  providers: number;
}

/** Prices in USD per token. */
export interface Pricing {
  prompt?: number;
  completion?: number;
  request?: number;
  image?: number;
}

/** One catalog entry. */
export interface CatalogItem {
  name: string;
  id: string;
  providerId: string;
  providerType: string;
  ownedBy?: string;
  displayName?: string;
  description?: string;
  contextLength?: number;
  maxOutputTokens?: number;
  inputModalities?: string[];
  outputModalities?: string[];
  pricing?: Pricing;
  isFree: boolean;
  local: boolean;
  supportedParameters?: string[];
  created?: number;
  expiresAt?: string | number;
  quantization?: string;
  sizeBytes?: number;
}

/** Free-tier limits of a provider. */
export interface FreeLimits {
  providerId: string;
  requestsPerMinute?: number;
  requestsPerDay?: number;
  requestsPerDayWithCredits?: number;
  summary: string;
  note?: string;
}

/** One provider's part of the catalog. */
export interface CatalogProviderStatus {
  providerId: string;
  type: string;
  local: boolean;
  state: 'live' | 'offline' | 'unavailable' | 'never-synced';
  models: number;
  syncedAt?: number;
  ageMs?: number;
  stale: boolean;
  error?: string;
  notice?: string;
}

/** `GET /api/catalog`. */
export interface CatalogAnswer {
  models: CatalogItem[];
  meta: {
    total: number;
    shown: number;
    offline: boolean;
    notices: string[];
    providers: CatalogProviderStatus[];
    setup: { needed: boolean; message?: string };
    freeLimits: FreeLimits[];
    generatedAt: number;
  };
}

/** An alternative to a free model. */
export interface Alternative {
  name: string;
  reason: string;
  local: boolean;
  pricing?: Pricing;
}

/** `GET /api/catalog/models/{name}`. */
export interface ModelDetail {
  model: CatalogItem;
  notice?: {
    model: string;
    limits?: FreeLimits;
    warning: string;
    caution: string;
    alternatives: Alternative[];
  } | null;
}

/** A provider key's metadata (never its secret). */
export interface KeyInfo {
  id: string;
  owner: string;
  providerId: string;
  label: string | null;
  last4: string;
  createdAt: number;
  lastUsedAt: number | null;
  status: string;
  statusMessage: string | null;
  checkedAt: number | null;
}

/** `POST /api/keys`, `POST /api/keys/{id}/validate`. */
export interface CheckedKey {
  key: KeyInfo;
  validation: { status: string; message: string; renewUrl?: string } | null;
}

/** `GET /api/tasks`. */
export interface TaskInfo {
  name: string;
  description: string | null;
}

/** One ranked model of a selection. */
export interface RankedModel {
  model: string;
  score: number;
  parts: { quality: number; latency: number; cost: number; health: number };
  basis: string[];
}

/** `GET /api/select/explain`. */
export interface Explanation {
  task: string;
  chosen: string | null;
  chain: string[];
  ranked: RankedModel[];
  excluded: Array<{ model: string; reasons: string[] }>;
}

/** `GET /api/preferences`. */
export interface Preferences {
  localOnly?: boolean;
  freeOnly?: boolean;
  favourite?: string;
  avoid?: string[];
}

/** What a local model needs. */
export interface LocalNeed {
  ramBytes: number;
  vramBytes: number;
  diskBytes?: number;
  contextSize?: number;
  gpuLayers?: number;
  totalLayers?: number;
}

/** `GET /api/local-models` entries. */
export interface LocalModel {
  name: string;
  providerId: string;
  id: string;
  sizeBytes?: number;
  loaded: boolean;
  family?: string;
  parameterSize?: string;
  quantization?: string;
  contextLength?: number;
  need?: LocalNeed;
  fits: 'yes' | 'no' | 'unknown';
  shortfalls: string[];
}

/** A GPU as the probe sees it. */
export interface Gpu {
  index: number;
  name: string;
  vendor: string;
  totalVramBytes: number;
  freeVramBytes?: number;
  utilizationPercent?: number;
}

/** A model in memory. */
export interface LoadedModel {
  providerId: string;
  id: string;
  sizeBytes?: number;
  vramBytes?: number;
  contextSize?: number;
  activeRequests?: number;
  expiresAt?: number;
}

/** The machine at one moment. */
export interface Snapshot {
  takenAt: number;
  memory: { totalBytes: number; availableBytes: number; usedBytes: number };
  cpu: { model: string; logicalCores: number; loadAverage1m: number; usagePercent?: number };
  gpus: Gpu[];
  disk?: { path: string; totalBytes: number; freeBytes: number };
}

/** `GET /api/resources`. */
export interface ResourceReport {
  snapshot: Snapshot;
  available: {
    availableRamBytes: number;
    freeVramBytes: number;
    safetyMarginBytes: number;
    ramBytes: number;
    vramBytes: number;
    budgetLeftBytes?: number;
  };
  loaded: LoadedModel[];
  pressureThresholdBytes: number;
  underPressure: boolean;
}

/** One `sample` event of `GET /api/resources/stream`. */
export interface ResourceSample {
  takenAt: number;
  memory: Snapshot['memory'];
  cpu: Snapshot['cpu'];
  gpus: Gpu[];
  loaded: LoadedModel[];
  thresholdBytes: number;
  underPressure: boolean;
}

/** `GET /api/incidents` entries. */
export interface Incident {
  id: string;
  at: number;
  model: string;
  kind: string;
  cause: string;
  action: string;
  requestId: string | null;
  sessionId: string | null;
}

/** `GET /api/requests/summary` entries. */
export interface ModelTraffic {
  /** Null for requests refused before any model was chosen (an unknown model, none available). */
  model: string | null;
  requests: number;
  errors: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  totalTokens: number;
  costUsd: number | null;
}

/** `GET /api/setup`. */
export interface SetupInfo {
  needed: boolean;
  configFile: string;
  providers: string[];
  machine: { totalRamBytes: number; freeRamBytes: number; cores: number };
  servers: Array<{
    kind: 'ollama' | 'llama.cpp';
    baseUrl: string;
    found: boolean;
    models: string[];
    reason?: string;
  }>;
  localRecommendations: Array<{ model: string; why: string }>;
  defaults: { ollamaUrl: string; llamaCppUrl: string; openRouterUrl: string };
}

/** `POST /api/setup`. */
export interface SetupResult {
  file: string;
  written: boolean;
  backup: string | null;
  restart: boolean;
  config: string;
  providers: Array<{ id: string; type: string; baseUrl?: string }>;
  keys: Array<KeyInfo & { message: string }>;
  recommendedFree: Array<{
    name: string;
    displayName: string;
    contextLength: number | null;
    tools: boolean;
  }>;
  freeLimits: string | null;
  notices: string[];
  localRecommendations: Array<{ model: string; why: string }>;
}

/** A benchmark run with how far it got. */
export interface BenchRun {
  id: string;
  createdAt: number;
  finishedAt: number | null;
  status: 'running' | 'interrupted' | 'completed' | 'failed';
  models: string[];
  task: string | null;
  total: number;
  recorded: number;
  errors: number;
  passed: number;
  error: string | null;
}

/** `GET /api/bench/runs/{id}`. */
export interface BenchRunView {
  run: BenchRun;
  active: boolean;
  progress?: {
    total: number;
    done: number;
    errors: number;
    running: number;
    elapsedMs: number;
    etaMs: number | null;
  };
}

/** One model's figures in a comparison group. */
export interface ComparisonCell {
  model: string;
  samples: number;
  quality: number;
  passRate: number;
  safetyPassRate: number | null;
  p50LatencyMs: number | null;
  meanCostUsd: number | null;
}

/** `GET /api/bench/compare`. */
export interface Comparison {
  baseline: string;
  models: string[];
  test: string;
  significanceLevel: number;
  groups: Array<{
    task: string;
    cells: ComparisonCell[];
    differences: Array<{
      model: string;
      pairs: number;
      qualityDifference: number;
      passRateDifference: number;
      pValue: number;
      significant: boolean;
      note?: string;
    }>;
  }>;
}

/** `GET /api/bench/scores` entries. */
export interface TaskStanding {
  model: string;
  task: string;
  quality: number;
  samples: number;
  passRate: number;
  measuredAt: number;
}

/** `GET /api/metrics` rows. */
export interface MetricsRow {
  model?: string;
  task?: string | null;
  day?: string;
  requests: number;
  errors: number;
  errorRate: number | null;
  p95LatencyMs: number | null;
  quality: number | null;
  passRate: number | null;
}

/** `GET /api/alerts` entries. */
export interface AlertInfo {
  id: string;
  metric: string;
  model: string;
  task: string | null;
  value: number;
  threshold: number;
  message: string;
  suggestion: unknown;
  status: 'open' | 'cleared';
  openedAt: number;
  clearedAt: number | null;
}

/** A version of a model. */
export interface ModelVersion {
  id: string;
  model: string;
  label: string;
  firstSeenAt: number;
  current: boolean;
}

/** A pin in force (or in history). */
export interface PinInfo {
  id: string;
  subject: string;
  model: string;
  versionId: string;
  label: string;
  served: boolean;
  at: number;
  actor: string;
  reason: string;
  previousPinId: string | null;
  active: boolean;
}

/** `GET /api/versions` entries. */
export interface VersionedModel {
  model: string;
  providerId: string;
  served: ModelVersion | null;
  latest: ModelVersion;
  versions: number;
  dependents: string[];
  pins: PinInfo[];
  deprecation?: {
    timeline: string;
    suggestion?: { model: string; reasons: string[] };
    command?: string;
  };
}

/** `GET /api/versions/notices` entries. */
export interface VersionNotice {
  id: string;
  at: number;
  model: string;
  kind: string;
  severity: 'info' | 'warning' | 'breaking';
  summary: string;
  dependents: string[];
}

/** `GET /api/versions/deprecations` entries. */
export interface DeprecationInfo {
  model: string;
  reason: 'expires' | 'gone';
  timeline: string;
  dependents: string[];
  suggestion?: { model: string; reasons: string[] };
  command?: string;
}

/** `GET /api/versions/audit` entries. */
export interface AuditEntry {
  id: string;
  at: number;
  actor: string;
  channel: string;
  action: string;
  subject: string;
  reason: string;
}
