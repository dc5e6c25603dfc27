/**
 * `audit export`: the trail as JSON lines that anyone can verify without Parallax: a header line saying
 * how each hash is computed and carrying the public key, one line per record with its stored columns,
 * prev_hash and hash, then the signed checkpoints that fall in the range.
 *
 * Invariants: records are read in id-ordered SQL pages and written with back-pressure, never all in
 * memory; every value is the stored column as is (the hash covers exactly those), so recomputing
 * `sha256(prev_hash + "\n" + JSON.stringify([...CHAIN_FIELDS values]))` over the lines reproduces `hash`.
 * A range (from inclusive, to exclusive, on `at`) is a contiguous slice of the chain whose first record's
 * prev_hash anchors it to the record before.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { CHAIN_FIELDS, GENESIS_HASH, isoInstant, type ControlStore } from '../control/index.ts';
import { CHECKPOINT_FORMAT, checkpointMessage, checkpointService } from './checkpoints.ts';
import { loadVerifyingKey } from './signing-key.ts';

export interface ExportOptions {
  dataDir: string;
  keyDir: string;
  from?: string | undefined;
  to?: string | undefined;
}

export interface ExportSummary {
  records: number;
  checkpoints: number;
  firstId: number | null;
  lastId: number | null;
}

export async function exportAuditTrail(control: ControlStore, out: Writable, opts: ExportOptions): Promise<ExportSummary> {
  const from = opts.from === undefined ? undefined : isoInstant(opts.from);
  const to = opts.to === undefined ? undefined : isoInstant(opts.to);
  const key = loadVerifyingKey(opts.keyDir);
  const write = async (o: unknown) => {
    if (!out.write(`${JSON.stringify(o)}\n`)) await once(out, 'drain');
  };
  await write({
    type: 'header',
    format: 'parallax-audit-export/v1',
    hash: `sha256 hex of prev_hash + "\\n" + JSON.stringify([${CHAIN_FIELDS.join(', ')}])`,
    genesis_prev_hash: GENESIS_HASH,
    checkpoint_signature: `Ed25519 over "${CHECKPOINT_FORMAT}\\n" + at + "\\n" + last_event_id + "\\n" + head_hash + "\\n" + key_id`,
    public_key: key?.publicKeyPem ?? null,
    key_id: key?.keyId ?? null,
    from: from ?? null,
    to: to ?? null,
    exported_at: new Date().toISOString(),
  });
  let records = 0;
  let firstId: number | null = null;
  let lastId: number | null = null;
  for (let after = 0; ; ) {
    let q = control.db.selectFrom('audit_events').selectAll().where('id', '>', after);
    if (from !== undefined) q = q.where('at', '>=', from);
    if (to !== undefined) q = q.where('at', '<', to);
    const page = await q.orderBy('id').limit(2000).execute();
    if (page.length === 0) break;
    for (const r of page) {
      const id = Number(r.id);
      await write({
        type: 'event',
        id,
        at: r.at,
        event: r.event,
        principal: r.principal,
        role: r.role,
        source: r.source,
        client: r.client,
        purpose: r.purpose,
        object_ids: r.object_ids,
        row_count: r.row_count === null ? null : Number(r.row_count),
        outcome: r.outcome,
        detail: r.detail,
        prev_hash: r.prev_hash,
        hash: r.hash,
      });
      firstId ??= id;
      lastId = id;
      records++;
    }
    after = lastId!;
  }
  let checkpoints = 0;
  if (firstId !== null && lastId !== null) {
    const cps = checkpointService(control, opts);
    for (let after = 0; ; ) {
      const page = await cps.rows(after, 5000);
      if (page.length === 0) break;
      for (const c of page) {
        if (c.lastEventId < firstId || c.lastEventId > lastId) continue;
        await write({ type: 'checkpoint', at: c.at, last_event_id: c.lastEventId, head_hash: c.headHash, key_id: c.keyId, signature: c.signature, signed_message: checkpointMessage(c) });
        checkpoints++;
      }
      after = page[page.length - 1]!.id;
    }
  }
  return { records, checkpoints, firstId, lastId };
}
