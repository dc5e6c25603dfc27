export { ingestFile, recoverUnfinished, MAX_REJECTS_KEPT, type BatchResult, type IngestDeps, type IngestOptions } from './ingest-file.ts';
export { ingestReference, isReferenceProfile } from './ingest-reference.ts';
export { InputError } from './input-error.ts';
export { inspectSource, scanFile } from './source-file.ts';
