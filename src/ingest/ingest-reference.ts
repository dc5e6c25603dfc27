/**
 * Reference files (countries, HS, ports, sectors, FX rates) replace their table whole and are recorded as
 * batches like any other load, so provenance answers "which ports table was in force". An FX rate table
 * also converts every stored row again at its rates (fx/rate-tables.ts), in the same transaction.
 */
import { basename } from 'node:path';
import { REFERENCE_KINDS, loadReferenceTable, type ReferenceKind } from '../reference/index.ts';
import { inspectSource, scanFile } from './source-file.ts';
import { InputError } from './input-error.ts';
import { fxSources, loadFxTable } from '../fx/index.ts';
import type { BatchResult, IngestDeps } from './ingest-file.ts';

/** `fx`: exchange rates (date, currency, rate per US dollar); the others are reference/reference-data.ts tables. */
export const REFERENCE_PROFILES = [...REFERENCE_KINDS, 'fx'] as const;

export function isReferenceProfile(profile: string): profile is ReferenceKind | 'fx' {
  return (REFERENCE_PROFILES as readonly string[]).includes(profile);
}

export async function ingestReference(deps: IngestDeps, path: string, kind: string, loadedBy: string): Promise<BatchResult> {
  if (!isReferenceProfile(kind)) {
    throw new InputError(path, null, null, `"${kind}" is not a reference table`, `Use --profile ${REFERENCE_PROFILES.join(', --profile ')}`);
  }
  const src = await inspectSource(path);
  const { sha256 } = await scanFile(path, src.gzip);
  const dataset = `ref_${kind}`;
  let previous = await deps.registry.findCommittedBySha(sha256, dataset);
  if (previous && kind === 'fx') {
    // Rates loaded before and since replaced by another table are loaded again: the same bytes are a no-op
    // only while they are the table in force.
    const inForce = await deps.store.withWriteConnection(async (c) => (await fxSources(c)).some((x) => x.kind === 'loaded' && x.source_id === previous!.batch_id));
    if (!inForce) previous = undefined;
  }
  if (previous) {
    return {
      batch_id: previous.batch_id, file: path, dataset, profile: kind, sha256: sha256,
      rows_read: Number(previous.rows_read), rows_accepted: Number(previous.rows_accepted), rows_rejected: 0, rows_filtered: 0, rejects_kept: 0,
      superseded_rows: 0, rows_without_usd: 0, duplicate: true, message: `these bytes were already loaded as ${previous.batch_id}; nothing was changed`,
    };
  }
  const batch = await deps.registry.begin({
    dataset, category: 'reference', provider: 'REF', profile: kind, file_name: basename(path), sha256: sha256,
    size_bytes: src.sizeBytes, loaded_by: loadedBy, started_at: new Date().toISOString(),
  });
  try {
    if (kind === 'fx') {
      const r = await deps.store.withWriteConnection((c) => loadFxTable(c, path, batch.batch_id, sha256));
      const conv = r.conversion;
      const converted = Object.values(conv.batches).reduce((a, b) => a + (b ?? 0), 0);
      const message =
        `exchange rates for ${r.currencies} currencies, ${r.first_month ?? '-'} to ${r.last_month ?? '-'} (${r.monthly_rates} monthly averages of ${r.rates_read} rates); ` +
        `they win over the shipped rates where both have one. Converted again: ${conv.rows} rows of ${converted} batches` +
        (conv.rows_without_rate ? `, ${conv.rows_without_rate} of them without a rate` : '');
      await deps.registry.finish(batch.batch_id, 'committed', { rows_read: r.rates_read, rows_accepted: r.rates_read, rows_rejected: 0, message });
      return {
        batch_id: batch.batch_id, file: path, dataset, profile: kind, sha256, rows_read: r.rates_read, rows_accepted: r.rates_read,
        rows_rejected: 0, rows_filtered: 0, rejects_kept: 0, superseded_rows: 0, rows_without_usd: conv.rows_without_rate, duplicate: false, message,
      };
    }
    const n = await deps.store.withWriteConnection((c) => loadReferenceTable(c, kind, path));
    await deps.registry.finish(batch.batch_id, 'committed', { rows_read: n, rows_accepted: n, rows_rejected: 0 });
    return {
      batch_id: batch.batch_id, file: path, dataset, profile: kind, sha256: sha256, rows_read: n, rows_accepted: n,
      rows_rejected: 0, rows_filtered: 0, rejects_kept: 0, superseded_rows: 0, rows_without_usd: 0, duplicate: false, message: `replaced the ${kind} reference table`,
    };
  } catch (e) {
    await deps.registry.discard(batch.batch_id, 'reference load failed; the table was not replaced');
    throw e;
  }
}
