export { openControlStore, type ControlStore, type ControlStoreOptions } from './control-store.ts';
export { batchRegistry, batchIdFor, type BatchRegistry, type BatchRecord, type QuarantineRow } from './batch-registry.ts';
export type { ControlDatabase } from './control-schema.ts';
export { auditLog, type AuditLog, type AuditEvent } from './audit-log.ts';
