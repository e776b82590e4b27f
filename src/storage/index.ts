/** The storage module's public face: open the database, and the types it hands out. */
export type { AlertMetric, AlertRecord, AlertStore } from './alert-store.js';
export {
  type ApiKeyRecord,
  type ApiKeyStatus,
  type ApiKeyStore,
  apiKeyStatuses,
  ResealConflictError,
  type ResealRow,
} from './api-keys.js';
export type {
  AuditActor,
  AuditChannel,
  AuditEntry,
  AuditLog,
  AuditQuery,
  NewAuditEntry,
} from './audit-log.js';
export {
  type BenchmarkStore,
  type BenchResultQuery,
  type BenchResultRecord,
  type BenchRunRecord,
  type BenchRunStatus,
  type BenchRunSummary,
  resultKey,
} from './benchmark-store.js';
export {
  type ChangeFeed,
  type ChangeTopic,
  changeTopics,
} from './change-feed.js';
export {
  openStorage,
  type StorageLocation,
  type StorageOptions,
  type StorageSettings,
} from './database.js';
export {
  type DatabaseUnavailableReason,
  databaseUnavailableExplanations,
  databaseUnavailableReason,
} from './database-unavailable.js';
export type { HealthEventRecord, HealthEvents } from './health-events.js';
export type { Incident, Incidents } from './incidents.js';
export {
  benchmarkRequestPrefix,
  type CostTotals,
  type DailyRollup,
  type MetricsSource,
  type MetricsStore,
  type MonitoredRequest,
  type RollupQuery,
} from './metrics-store.js';
export { MigrationError } from './migrate-to-latest.js';
export type {
  CatalogChanges,
  CatalogEntry,
  CatalogSyncRecord,
  CatalogSyncState,
  CatalogSyncStatus,
  ModelCatalogStore,
  StoredCatalogEntry,
} from './model-catalog-store.js';
export {
  type ModelVersionRecord,
  type ModelVersionStore,
  type NewVersionNotice,
  type NewVersionPin,
  type NoticeDelivery,
  type PinAction,
  PinChangedError,
  type VersionNoticeKind,
  type VersionNoticeRecord,
  type VersionNoticeSeverity,
  type VersionPinRecord,
} from './model-versions-store.js';
export { isPostgresUrl, redactDatabaseUrl } from './postgres-dialect.js';
export type { RequestLogOptions } from './request-log.js';
export type * from './request-log-types.js';
export type { SessionRecord, SessionSwitch, Sessions } from './sessions.js';
export type { Settings } from './settings.js';
export type { MigrationResult, Storage } from './storage.js';
export type { UsageSlot, UserUsageRecord, UserUsageStore } from './user-usage.js';
export {
  type UsageLimits,
  type UserAudit,
  UserConflictError,
  type UserLimitOverrides,
  type UserRecord,
  type UserRole,
  type Users,
} from './users.js';
export type { StorageDialect } from './write-lock.js';
