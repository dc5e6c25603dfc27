export { auditTrail, type AuditTrail, type AuditTrailOptions } from './audit-trail.ts';
export { verifyAuditTrail, type AuditVerifyReport, type AuditProblem, type AuditProblemKind, type VerifyOptions } from './verify-trail.ts';
export { exportAuditTrail, type ExportOptions, type ExportSummary } from './export-trail.ts';
export { checkpointService, checkpointMessage, signatureValid, CHECKPOINT_FILE, CHECKPOINT_FORMAT, type Checkpoint, type StoredCheckpoint, type CheckpointService } from './checkpoints.ts';
export { disclosureLedger, retainUntil, DISCLOSURE_RETENTION_YEARS, type DisclosureLedger, type Disclosure, type DisclosureInput, type DisclosureFilter } from './disclosure-ledger.ts';
export { auditKeyDir, loadOrCreateSigningKey, loadVerifyingKey, keyIdOf, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, type SigningKey, type VerifyingKey } from './signing-key.ts';
