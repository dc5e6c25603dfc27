/**
 * Reference files (countries, HS, ports, sectors) replace their table whole and are recorded as batches
 * like any other load, so provenance answers "which ports table was in force".
 */
import { basename } from 'node:path';
import { REFERENCE_KINDS, loadReferenceTable, type ReferenceKind } from '../reference/index.ts';
import { inspectSource, scanFile } from './source-file.ts';
import { InputError } from './input-error.ts';
import type { BatchResult, IngestDeps } from './ingest-file.ts';

export function isReferenceProfile(profile: string): profile is ReferenceKind {
  return (REFERENCE_KINDS as readonly string[]).includes(profile);
}

export async function ingestReference(deps: IngestDeps, path: string, kind: string, loadedBy: string): Promise<BatchResult> {
  if (!isReferenceProfile(kind)) {
    throw new InputError(path, null, null, `"${kind}" is not a reference table`, `Use --profile ${REFERENCE_KINDS.join(', --profile ')}`);
  }
  const src = await inspectSource(path);
  const { sha256 } = await scanFile(path, src.gzip);
  const dataset = `ref_${kind}`;
  const previous = await deps.registry.findCommittedBySha(sha256, dataset);
  if (previous) {
    return {
      batch_id: previous.batch_id, file: path, dataset, profile: kind, sha256: sha256,
      rows_read: Number(previous.rows_read), rows_accepted: Number(previous.rows_accepted), rows_rejected: 0, rows_filtered: 0, rejects_kept: 0,
      superseded_rows: 0, duplicate: true, message: `these bytes were already loaded as ${previous.batch_id}; nothing was changed`,
    };
  }
  const batch = await deps.registry.begin({
    dataset, category: 'reference', provider: 'REF', profile: kind, file_name: basename(path), sha256: sha256,
    size_bytes: src.sizeBytes, loaded_by: loadedBy, started_at: new Date().toISOString(),
  });
  try {
    const n = await deps.store.withWriteConnection((c) => loadReferenceTable(c, kind, path));
    await deps.registry.finish(batch.batch_id, 'committed', { rows_read: n, rows_accepted: n, rows_rejected: 0 });
    return {
      batch_id: batch.batch_id, file: path, dataset, profile: kind, sha256: sha256, rows_read: n, rows_accepted: n,
      rows_rejected: 0, rows_filtered: 0, rejects_kept: 0, superseded_rows: 0, duplicate: false, message: `replaced the ${kind} reference table`,
    };
  } catch (e) {
    await deps.registry.discard(batch.batch_id, 'reference load failed; the table was not replaced');
    throw e;
  }
}
