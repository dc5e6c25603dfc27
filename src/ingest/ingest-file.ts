/**
 * Loads one file as one batch: hash, header check, staged read inside DuckDB, typed projection with
 * per-row checks, insert of the accepted rows, quarantine of the rest, all in one DuckDB transaction.
 *
 * Invariants:
 * - Atomic: rows, the supersede marks and the `batch_commits` marker commit together or not at all. The
 *   control-store record is written `loading` before and `committed` after; `recoverUnfinished` settles
 *   any record left `loading` by a crash (roll forward if the marker exists, forget it otherwise), so a
 *   killed load leaves nothing visible and a re-run completes it.
 * - Idempotent: the same bytes (SHA-256) for the same dataset are a no-op that says so.
 * - Rows are never parsed in JavaScript; DuckDB's reader stages the file as text and SQL types and checks
 *   it. Line numbers are exact for files without quoted line breaks: staged rowid order is file order, and
 *   the reader's own rejected lines are accounted for.
 * - Counts are per source record: a record is accepted only if every canonical row it emits passes.
 *   rows_read = rows_accepted + rows_rejected + rows_filtered; filtered records (outside the profile's
 *   `where`) are not bad input, so they are never quarantined, but the count is reported so none vanish.
 */
import { basename } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { AnalyticalStore } from '../store/index.ts';
import { DERIVED_COLUMNS, insertColumns, quoteIdent, quoteString } from '../store/index.ts';
import { DATASETS } from '../schema/index.ts';
import { loadProfile, type Profile } from '../profiles/index.ts';
import type { BatchRegistry, QuarantineRow } from '../control/index.ts';
import { silentProgress, type ProgressSink } from '../progress/index.ts';
import { compileMapping, type StagedColumn } from './compile-mapping.ts';
import { detectDelimiter, inspectSource, looksLikeData, scanFile, splitHeader, type SourceFile } from './source-file.ts';
import { InputError } from './input-error.ts';
import { engineReadError } from './engine-error.ts';
import { fxGeneration, fxJoinSql, recordBatchFx } from '../fx/index.ts';
import { recordAt } from './record-at.ts';

export interface IngestOptions {
  profile: string;
  category: string;
  provider: string;
  overrides?: Readonly<Record<string, string>>;
  loadedBy: string;
  progress?: ProgressSink;
  /**
   * Load bytes already loaded for another provider as a new batch of this provider (refused otherwise, with
   * a message naming the earlier batch and its provider).
   */
  alsoForProvider?: boolean;
}

export interface BatchResult {
  batch_id: string;
  file: string;
  dataset: string;
  profile: string;
  sha256: string;
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  /** Records left out by the profile's `where`: neither accepted nor rejected. */
  rows_filtered: number;
  rejects_kept: number;
  superseded_rows: number;
  /** Accepted rows whose currency and month have no exchange rate: their USD columns are empty (fx/). */
  rows_without_usd: number;
  duplicate: boolean;
  message: string | null;
}

export interface IngestDeps {
  store: AnalyticalStore;
  registry: BatchRegistry;
}

/** Quarantine keeps at most this many rejected records per batch; the count of the rest is recorded. */
export const MAX_REJECTS_KEPT = 100_000;
/** The reader's limit on one record (analytical-dialect.ts, max_line_size). */
const MAX_RECORD_BYTES = 1_048_576;
/** Rejected records read back from the file to describe them (record-at.ts), and the bytes of raw text kept. */
const INSPECTED_REJECTS = 100;
const KEPT_RAW_BYTES = 4096;

const PROVIDER_RE = /^[A-Z][A-Z0-9-]{1,15}$/;

/**
 * Runs a statement on DuckDB's own threads (the binding's async run) and polls its progress, leaving the
 * JavaScript thread free: the SHA-256 of the file is computed meanwhile.
 */
async function runWithProgress(c: DuckDBConnection, sql: string, progress: ProgressSink): Promise<void> {
  const timer = setInterval(() => {
    const pct = c.progress.percentage;
    if (pct >= 0) progress.update(pct);
  }, 200);
  try {
    await c.run(sql);
  } finally {
    clearInterval(timer);
  }
}

/**
 * Crash-test hook: with PARALLAX_INGEST_FAULT naming a point, the load announces it on stderr and stalls
 * there so a test can kill -9 the process at an exact phase. Unset in normal runs; costs one env lookup.
 */
async function faultPoint(name: 'staged' | 'inserted' | 'committed'): Promise<void> {
  if (process.env['PARALLAX_INGEST_FAULT'] !== name) return;
  process.stderr.write(`FAULT-POINT ${name}\n`);
  await new Promise(() => undefined);
}

async function scalar(c: DuckDBConnection, sql: string, params: DuckDBValue[] = []): Promise<number> {
  const r = await c.runAndReadAll(sql, params);
  return Number(r.getRows()[0]?.[0] ?? 0);
}

function resolveProfile(name: string, category: string, path: string): Profile {
  // `canonical` names the canonical layout of whichever dataset the category holds.
  const effective = name !== 'canonical' ? name : category === 'financial' ? 'canonical-payments' : category === 'enforcement' ? 'canonical-enforcement' : name;
  const profile = loadProfile(effective);
  if (profile.category !== category) {
    throw new InputError(
      path,
      null,
      null,
      `profile ${profile.name} loads ${profile.category} data, not ${category}`,
      `Use --category ${profile.category}, or a profile for ${category} data`,
    );
  }
  return profile;
}

function stagedColumns(src: SourceFile, profile: Profile): { columns: StagedColumn[]; delimiter: string; header: boolean } {
  const delimiter = profile.format.delimiter === 'auto' ? detectDelimiter(src.firstLine) : profile.format.delimiter;
  const cells = splitHeader(src.firstLine, delimiter, profile.format.quote);
  const header = profile.format.header === 'auto' ? !looksLikeData(cells) : profile.format.header;
  const seen = new Set<string>();
  const columns = cells.map((raw, i) => {
    // Header cells are trimmed and lose a leading comment marker (the fishery files start with %).
    const name = header ? raw.trim().replace(/^[%#]\s*/, '') || `#${i + 1}` : `#${i + 1}`;
    if (seen.has(name.toLowerCase())) {
      throw new InputError(src.path, 1, name, 'the header names this column twice', 'Rename one of the columns so each name is unique');
    }
    seen.add(name.toLowerCase());
    return { sourceName: name, alias: `c${i + 1}` };
  });
  return { columns, delimiter, header };
}

async function parquetColumns(c: DuckDBConnection, path: string): Promise<StagedColumn[]> {
  try {
    const r = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quoteString(path)})`);
    return r.getRowObjectsJson().map((row, i) => ({ sourceName: String(row['column_name']), alias: `c${i + 1}` }));
  } catch (e) {
    throw engineReadError(path, e);
  }
}

export async function recoverUnfinished(deps: IngestDeps): Promise<string[]> {
  const settled: string[] = [];
  for (const b of await deps.registry.listUnfinished()) {
    const marker = await deps.store.withWriteConnection(async (c) => {
      const r = await c.runAndReadAll('SELECT rows_read, rows_accepted, rows_rejected, rejects_kept, superseded_rows FROM batch_commits WHERE batch_id = $1', [b.batch_id]);
      return r.getRowObjectsJson()[0];
    });
    if (marker) {
      await deps.registry.finish(b.batch_id, 'committed', {
        rows_read: Number(marker['rows_read']),
        rows_accepted: Number(marker['rows_accepted']),
        rows_rejected: Number(marker['rows_rejected']),
        rejects_kept: Number(marker['rejects_kept']),
        superseded_rows: Number(marker['superseded_rows']),
        message: 'completed by recovery after an interrupted load',
      });
    } else {
      await deps.registry.discard(b.batch_id, 'interrupted load (the process ended before it committed); nothing of it was stored');
    }
    settled.push(b.batch_id);
  }
  return settled;
}

export async function ingestFile(deps: IngestDeps, path: string, opts: IngestOptions): Promise<BatchResult> {
  const progress = opts.progress ?? silentProgress;
  const provider = opts.provider.toUpperCase();
  if (!PROVIDER_RE.test(provider)) {
    throw new InputError(path, null, null, 'the provider must be an ISO 3166 alpha-2 code or agency code (letters, digits, dash)', 'Pass --provider, e.g. --provider US');
  }
  const profile = resolveProfile(opts.profile, opts.category, path);
  const dataset = DATASETS[profile.dataset];
  for (const k of Object.keys(opts.overrides ?? {})) {
    if (!dataset.fields.some((f) => f.name === k)) {
      throw new InputError(path, null, k, `--set names no ${dataset.id} field`, `Use one of: ${dataset.fields.map((f) => f.name).join(', ')}`);
    }
  }

  await recoverUnfinished(deps);
  const src = await inspectSource(path);
  // Hashing (which for gzip also proves the stream is whole) runs on the JS thread while DuckDB reads the
  // file on its own threads; the result is awaited before anything is committed.
  const abort = new AbortController();
  const scanning = scanFile(path, src.gzip, abort.signal);
  scanning.catch(() => undefined);

  // A load that fails stops the hashing too, so a refused 3 GB file does not keep the process reading it.
  return deps.store.withWriteConnection(async (c) => {
    let columns: StagedColumn[];
    let readSql: string;
    let headerLines = 0;
    if (src.format === 'parquet') {
      columns = await parquetColumns(c, path);
      readSql = `SELECT ${columns.map((col) => `${quoteIdent(col.sourceName)}::VARCHAR AS ${col.alias}`).join(', ')} FROM ${deps.store.dialect.readParquet([path])}`;
    } else {
      const layout = stagedColumns(src, profile);
      columns = layout.columns;
      headerLines = layout.header ? 1 : 0;
      readSql = `SELECT * FROM ${deps.store.dialect.readCsvAsText({
        paths: [path],
        header: layout.header,
        delimiter: layout.delimiter,
        quote: profile.format.quote,
        encoding: profile.format.encoding,
        columnNames: columns.map((col) => col.alias),
        rejectsTable: 'ingest_rejects',
        rejectsScan: 'ingest_reject_scans',
      })}`;
    }
    const mapping = compileMapping({
      profile,
      columns,
      overrides: opts.overrides ?? {},
      provider,
      fileLabel: basename(path),
      filePath: path,
      profileSource: opts.profile,
    });
    const emits = mapping.emits.length;
    const cAliases = columns.map((col) => col.alias).join(', ');
    // Layered projections over the staged file: mapped text, then values parsed once, then canonical fields
    // and the first failed check; the raw record is built only for rows that failed.
    const layered = mapping.emits
      .map(
        (e, i) => `SELECT * EXCLUDE (${cAliases}), CASE WHEN _failure IS NOT NULL THEN ${mapping.rawJsonSql} END AS _raw FROM (
          SELECT rec, ${i} AS emit, ${e.finalSql}, ${mapping.attrsSql} AS attrs, ${cAliases} FROM (
            SELECT *, ${e.typedSql || 'NULL AS _none'} FROM (
              SELECT stage.rowid AS rec, stage.*, ${e.normSql || 'NULL AS _nothing'} FROM stage WHERE ${mapping.whereSql})))`,
      )
      .join('\nUNION ALL\n');
    const dropTemps = () => c.run('DROP TABLE IF EXISTS temp.stage; DROP TABLE IF EXISTS temp.failed; DROP TABLE IF EXISTS temp.reject_pos');
    // The reader appends to its rejects tables: a load must not count the rejects of the load before it.
    await c.run('DROP TABLE IF EXISTS temp.ingest_rejects; DROP TABLE IF EXISTS temp.ingest_reject_scans');

    await c.run(`CREATE OR REPLACE TEMP TABLE country_keys AS
      SELECT DISTINCT key, alpha2 FROM (
        SELECT upper(alpha2) AS key, alpha2 FROM ref_countries UNION ALL
        SELECT upper(alpha3), alpha2 FROM ref_countries WHERE alpha3 IS NOT NULL UNION ALL
        SELECT upper(name), alpha2 FROM ref_countries WHERE name IS NOT NULL UNION ALL
        SELECT upper(official_name), alpha2 FROM ref_countries WHERE official_name IS NOT NULL UNION ALL
        SELECT alias, alpha2 FROM ref_country_aliases)`);
    // The file is read once, in parallel, as text into a connection-local temp table outside the transaction
    // (a crash drops it). The reader preserves insertion order, so the table's rowid is the record number.
    progress.stage(`reading ${basename(path)}`, 100, '%');
    try {
      await runWithProgress(c, `CREATE OR REPLACE TEMP TABLE stage AS ${readSql}`, progress);
    } catch (e) {
      throw engineReadError(path, e);
    } finally {
      progress.done();
    }

    // The batch id is reserved first because the rows carry it; its SHA-256 is recorded once known.
    const batch = await deps.registry.begin({
      dataset: dataset.id,
      category: opts.category,
      provider,
      profile: profile.name,
      file_name: basename(path),
      sha256: 'pending',
      size_bytes: src.sizeBytes,
      loaded_by: opts.loadedBy,
      started_at: new Date().toISOString(),
    });
    let inTransaction = false;
    try {
      await faultPoint('staged');
      await c.run('BEGIN TRANSACTION');
      inTransaction = true;
      const cols = insertColumns(dataset.id);
      const select = [
        `(${batch.seq}::BIGINT << 32) + rec * ${emits} + emit`,
        quoteString(batch.batch_id),
        quoteString(provider),
        `rec + ${headerLines + 1}`,
        ...dataset.fields.map((f) => f.name),
        ...DERIVED_COLUMNS[dataset.id].map((d) => d.expr),
        'attrs',
      ];
      // A record with several emitted rows is stored only if all of them pass.
      const keep = emits === 1 ? '_failure IS NULL' : `_failure IS NULL AND rec NOT IN (SELECT rec FROM (${layered}) WHERE _failure IS NOT NULL)`;
      progress.stage('checking and storing', 100, '%');
      try {
        // One pass over the staged text: mapped, checked, and the accepted rows written in one statement.
        // Batch id and provider are validated identifiers, inlined escaped.
        // The monthly FX rate is joined here, so USD columns are written with the row (fx/fx-columns.ts).
        const fxJoin = DERIVED_COLUMNS[dataset.id].some((d) => d.fx) ? fxJoinSql('l') : '';
        await runWithProgress(c, `INSERT INTO ${dataset.id} (${cols.join(', ')}) SELECT ${select.join(', ')} FROM (${layered}) l ${fxJoin} WHERE ${keep}`, progress);
      } finally {
        progress.done();
      }
      await faultPoint('inserted');

      const scan = await scanning;
      const earlier = await deps.registry.committedBySha(scan.sha256, dataset.id);
      const previous = earlier.find((b) => b.provider === provider);
      const otherProvider = earlier.find((b) => b.provider !== provider);
      if (!previous && otherProvider && !opts.alsoForProvider) {
        // Not "already loaded" without a word: the same bytes sit in a batch of another provider, so this is
        // either a mistaken --provider now, or a mistaken one then.
        await c.run('ROLLBACK');
        inTransaction = false;
        await deps.registry.discard(batch.batch_id, `same bytes as ${otherProvider.batch_id} of provider ${otherProvider.provider}; refused for provider ${provider}`);
        await dropTemps();
        throw new InputError(
          path,
          null,
          null,
          `these bytes were already loaded as ${otherProvider.batch_id} for provider ${otherProvider.provider} (${otherProvider.finished_at ?? otherProvider.started_at}), not for ${provider}; nothing was changed`,
          `If ${otherProvider.provider} is right, there is nothing to do. If the file is ${provider}'s, load it again with --provider ${provider} --also-for-provider ` +
            `(a new batch for ${provider}); ${otherProvider.batch_id} stays as loaded data is never edited, and its rows leave only by the retention purge`,
        );
      }
      if (previous) {
        await c.run('ROLLBACK');
        inTransaction = false;
        await deps.registry.discard(batch.batch_id, `same bytes as ${previous.batch_id}; nothing was changed`);
        await dropTemps();
        return {
          batch_id: previous.batch_id,
          file: path,
          dataset: dataset.id,
          profile: previous.profile,
          sha256: scan.sha256,
          rows_read: Number(previous.rows_read),
          rows_accepted: Number(previous.rows_accepted),
          rows_rejected: Number(previous.rows_rejected),
          rows_filtered: Number(previous.rows_read) - Number(previous.rows_accepted) - Number(previous.rows_rejected),
          rejects_kept: Number(previous.rejects_kept),
          superseded_rows: 0,
          rows_without_usd: 0,
          duplicate: true,
          message: `these bytes were already loaded as ${previous.batch_id} on ${previous.finished_at ?? previous.started_at}; nothing was changed`,
        };
      }
      await deps.registry.recordSha(batch.batch_id, scan.sha256);

      const structural = src.format === 'csv' ? await scalar(c, 'SELECT count(DISTINCT line) FROM ingest_rejects') : 0;
      const insertedRows = await scalar(c, `SELECT count(*) FROM ${dataset.id} WHERE batch_id = $1`, [batch.batch_id]);
      const records = await scalar(c, 'SELECT count(*) FROM stage');
      const filtered = mapping.whereSql === 'true' ? 0 : await scalar(c, `SELECT count(*) FILTER (WHERE NOT coalesce(${mapping.whereSql}, false)) FROM stage`);
      let failedRecs = 0;
      if (insertedRows !== (records - filtered) * emits) {
        // A second pass over the staged text, only for files with rejected rows: which records, and why.
        await c.run(`CREATE OR REPLACE TEMP TABLE failed AS
          SELECT rec, min(_failure) AS _failure, first(_raw ORDER BY emit) AS raw FROM (${layered})
          WHERE _failure IS NOT NULL GROUP BY rec`);
        failedRecs = await scalar(c, 'SELECT count(*) FROM failed');
      }

      let lineExpr = `(rec + ${headerLines + 1})`;
      if (structural > 0) {
        // Lines were numbered by record; records after a line the reader rejected sit one line further down.
        await c.run(`CREATE OR REPLACE TEMP TABLE reject_pos AS
          SELECT line - ${headerLines + 1} - (row_number() OVER (ORDER BY line) - 1) AS pos
          FROM (SELECT DISTINCT line FROM ingest_rejects)`);
        lineExpr = `(rec + ${headerLines + 1} + (SELECT count(*) FROM reject_pos WHERE pos <= rec))`;
        await c.run(
          `UPDATE ${dataset.id} SET line = line + (SELECT count(*) FROM reject_pos WHERE pos <= ${dataset.id}.line - ${headerLines + 1}) WHERE batch_id = $1`,
          [batch.batch_id],
        );
      }

      const qRows: QuarantineRow[] = [];
      // A key repeated within the file: the first occurrence stays, later ones move to the quarantine.
      let dupRows = 0;
      if (dataset.key) {
        const keyCols = dataset.key.join(', ');
        const present = dataset.key.map((k) => `${k} IS NOT NULL`).join(' AND ');
        const dups = await scalar(c, `SELECT count(*) - count(DISTINCT (${keyCols})) FROM ${dataset.id} WHERE batch_id = $1 AND ${present}`, [batch.batch_id]);
        if (dups > 0) {
          const later = `SELECT row_id FROM (SELECT row_id, row_number() OVER (PARTITION BY ${keyCols} ORDER BY row_id) AS rn
                         FROM ${dataset.id} WHERE batch_id = $1 AND ${present}) WHERE rn > 1`;
          const r = await c.runAndReadAll(
            `SELECT line, json_object(${dataset.key.map((k) => `${quoteString(k)}, ${k}`).join(', ')}) AS raw FROM ${dataset.id}
             WHERE row_id IN (${later}) ORDER BY line LIMIT ${MAX_REJECTS_KEPT}`,
            [batch.batch_id],
          );
          for (const row of r.getRowObjectsJson()) {
            qRows.push({ line: Number(row['line']), field: dataset.key[0]!, reason: `duplicate key (${keyCols}) within the file; the first occurrence was kept`, raw: String(row['raw']) });
          }
          const d = await c.run(`DELETE FROM ${dataset.id} WHERE row_id IN (${later})`, [batch.batch_id]);
          dupRows = Number(d.rowsChanged ?? 0);
        }
      }

      // Rows re-sent by this batch (same provider and key) move to the history table: current tables hold
      // only current rows, so no read ever pays for a "current" filter, and history stays queryable.
      let superseded = 0;
      if (dataset.key) {
        const prior = await scalar(c, `SELECT count(*) FROM ${dataset.id} WHERE provider = $1 AND batch_id <> $2`, [provider, batch.batch_id]);
        if (prior > 0) {
          const keyCols = dataset.key.join(', ');
          const replaced = `provider = $2 AND batch_id <> $1 AND (${keyCols}) IN (SELECT (${keyCols}) FROM ${dataset.id} WHERE batch_id = $1)`;
          await c.run(`INSERT INTO ${dataset.id}_history SELECT *, $1 AS superseded_by FROM ${dataset.id} WHERE ${replaced}`, [batch.batch_id, provider]);
          const r = await c.run(`DELETE FROM ${dataset.id} WHERE ${replaced}`, [batch.batch_id, provider]);
          superseded = Number(r.rowsChanged ?? 0);
        }
      }

      // Quarantine: rows that failed a check (with the record as the file had it), then reader rejects.
      if (failedRecs > 0) {
        const r = await c.runAndReadAll(
          `SELECT ${lineExpr} AS line, split_part(_failure, '\u0001', 1) AS field, split_part(_failure, '\u0001', 2) AS reason, raw
           FROM failed ORDER BY rec LIMIT ${MAX_REJECTS_KEPT}`,
        );
        for (const row of r.getRowObjectsJson()) {
          qRows.push({ line: Number(row['line']), field: (row['field'] as string) || null, reason: String(row['reason']), raw: row['raw'] === null ? null : String(row['raw']) });
        }
      }
      if (structural > 0) {
        const r = await c.runAndReadAll(
          `SELECT line, first(error_type) AS kind, first(column_name) AS col, first(csv_line) AS raw, first(byte_position) AS pos
           FROM ingest_rejects GROUP BY line ORDER BY line LIMIT ${MAX_REJECTS_KEPT}`,
        );
        const rejects = r.getRowObjectsJson();
        for (const [i, row] of rejects.entries()) {
          const col = row['col'] ? ` near column ${String(row['col']).replace(/^c/, '#')}` : '';
          let reason = `malformed line: ${String(row['kind']).toLowerCase()}${col}`;
          let raw = row['raw'] === null ? null : String(row['raw']);
          // The reader misreports records longer than its limit (the reason, and the text of the record
          // before); the first few are read back from the file to describe them as they are.
          const at = src.format === 'csv' && i < INSPECTED_REJECTS && row['pos'] !== null ? await recordAt(path, src.gzip, Number(row['pos']), { quote: profile.format.quote, limit: MAX_RECORD_BYTES, keep: KEPT_RAW_BYTES }) : null;
          if (at) {
            if (at.hasNul) reason = `binary data (NUL bytes) in the record${col}`;
            else if (!at.endsWithin) reason = `record longer than ${MAX_RECORD_BYTES / 1048576} MiB${at.openQuote ? `: a quoted field${col} is not closed within the limit` : ''}`;
            if (!at.endsWithin || raw === null || !at.text.startsWith(raw.slice(0, 64))) raw = at.endsWithin ? at.text : `${at.text}… (truncated: the first ${KEPT_RAW_BYTES} bytes of a record longer than ${MAX_RECORD_BYTES} bytes)`;
          }
          qRows.push({ line: Number(row['line']), field: null, reason, raw });
        }
      }
      qRows.sort((a, b) => a.line - b.line);
      const kept = qRows.slice(0, MAX_REJECTS_KEPT);
      await deps.registry.addQuarantine(batch.batch_id, kept);

      const fx = await recordBatchFx(c, dataset.id, batch.batch_id, await fxGeneration(c));

      const rowsRead = records + structural;
      const rejected = failedRecs + structural + dupRows / emits;
      await c.run(
        `INSERT INTO batch_commits (batch_id, dataset, rows_read, rows_accepted, rows_rejected, rejects_kept, superseded_rows)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [batch.batch_id, dataset.id, rowsRead, rowsRead - rejected - filtered, rejected, kept.length, superseded],
      );
      await c.run('COMMIT');
      inTransaction = false;
      await faultPoint('committed');
      await dropTemps();

      const notes = [
        rejected > kept.length ? `${rejected - kept.length} more rejected records were counted but not kept in the quarantine` : null,
        filtered > 0 ? `${filtered} records left out by the profile's where filter (not rejected)` : null,
        fx.rows_without_rate > 0
          ? `${fx.rows_without_rate} rows have no exchange rate for their currency and month (${fx.currencies_without_rate.join(', ')}): their value_usd is empty and USD totals count them as left out; load rates with --category reference --profile fx`
          : null,
      ].filter((n): n is string => n !== null);
      const message = notes.length ? notes.join('; ') : null;
      await deps.registry.finish(batch.batch_id, 'committed', {
        rows_read: rowsRead,
        rows_accepted: rowsRead - rejected - filtered,
        rows_rejected: rejected,
        rejects_kept: kept.length,
        superseded_rows: superseded,
        message,
      });
      return {
        batch_id: batch.batch_id,
        file: path,
        dataset: dataset.id,
        profile: profile.name,
        sha256: scan.sha256,
        rows_read: rowsRead,
        rows_accepted: rowsRead - rejected - filtered,
        rows_rejected: rejected,
        rows_filtered: filtered,
        rejects_kept: kept.length,
        superseded_rows: superseded,
        rows_without_usd: fx.rows_without_rate,
        duplicate: false,
        message,
      };
    } catch (e) {
      progress.done();
      if (inTransaction) await c.run('ROLLBACK').catch(() => undefined);
      await dropTemps().catch(() => undefined);
      await deps.registry.discard(batch.batch_id, `load failed (${e instanceof InputError ? 'bad input' : 'error'}); nothing was stored`).catch(() => undefined);
      throw e;
    }
  }).catch((e: unknown) => {
    abort.abort();
    throw e;
  });
}
