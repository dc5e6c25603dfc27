export {
  cutoffDate,
  defaultPolicy,
  isHeld,
  checkPolicyInput,
  RetentionError,
  DEFAULT_RETENTION_YEARS,
  MAX_RETENTION_YEARS,
  RETAINED_CATEGORIES,
  RETENTION_BASES,
  HOLD_KINDS,
  type RetentionBasis,
  type RetentionPolicy,
  type LegalHold,
  type HoldKind,
} from './retention-policy.ts';
export { retentionStore, type RetentionStore, type PurgeRecord } from './retention-store.ts';
export { purgeExpired, type PurgeReport, type PurgeDatasetReport, type PurgeDeps } from './purge.ts';
export { buildDataRegister, registerCsv, type DataRegister, type RegisterEntry } from './data-register.ts';
export { transparencyReport, headingOf, periodOf, type TransparencyReport, type TransparencyPeriod, type TransparencyGrain } from './transparency-report.ts';
export { purgeSchedule, DEFAULT_PURGE_CHECK_MS, DEFAULT_PURGE_EVERY_MS, type PurgeSchedule, type PurgeScheduleOptions } from './purge-schedule.ts';
