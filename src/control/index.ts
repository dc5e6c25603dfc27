export { openControlStore, type ControlStore, type ControlStoreOptions } from './control-store.ts';
export { batchRegistry, batchIdFor, type BatchRegistry, type BatchRecord, type QuarantineRow } from './batch-registry.ts';
export type { ControlDatabase } from './control-schema.ts';
export {
  auditLog,
  chainHash,
  isoInstant,
  toAuditRecord,
  CHAIN_FIELDS,
  GENESIS_HASH,
  type AuditLog,
  type AuditEvent,
  type AuditRecord,
  type AuditHead,
  type AuditFilter,
  type AuditOutcome,
  type AuditLogOptions,
  type ChainedFields,
} from './audit-log.ts';
