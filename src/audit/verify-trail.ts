/**
 * `audit verify`: walks the hash chain in id order, one SQL page at a time (never the whole table in
 * memory), checks every checkpoint's signature and that the head it signed is still there with that hash,
 * and cross-checks the checkpoint rows against the append-only checkpoint file.
 *
 * Invariants: the walk stops at the first bad record and names it, with the most specific reading the
 * evidence supports (edited, missing, inserted, out of place); a checkpoint claim counts only when its
 * signature verifies with the public key; the report always states what was checked and what this method
 * cannot detect, so "intact" is never read as more than it is. It runs safely while the server appends:
 * checkpoint rows are read before the file (each line is written before its row), and a line without a row
 * is looked up again before it is called a deletion.
 */
import { join } from 'node:path';
import { chainHash, GENESIS_HASH, type ControlStore } from '../control/index.ts';
import { checkpointService, sameCheckpoint, signatureValid, type Checkpoint } from './checkpoints.ts';
import { loadVerifyingKeys, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from './signing-key.ts';

export type AuditProblemKind =
  | 'edited'
  | 'missing'
  | 'inserted'
  | 'out-of-place'
  | 'unchained'
  | 'rewritten'
  | 'checkpoint-signature'
  | 'checkpoint-row-deleted'
  | 'checkpoint-not-in-file'
  | 'checkpoint-file'
  | 'checkpoint-key';

export interface AuditProblem {
  kind: AuditProblemKind;
  /** The audit record concerned, when the problem is in the chain. */
  recordId?: number;
  /** The checkpoint row concerned (audit_checkpoints.id), or its line in the checkpoint file. */
  checkpointId?: number;
  fileLine?: number;
  message: string;
}

export interface AuditVerifyReport {
  intact: boolean;
  records: number;
  firstId: number | null;
  head: { id: number; hash: string } | null;
  /** The first bad record in chain order, or null when the chain and its checkpoints agree. */
  firstBad: { id: number; kind: AuditProblemKind; message: string } | null;
  problems: AuditProblem[];
  checkpoints: { rows: number; fileLines: number; validSignatures: number; lastCoveredId: number | null; keyId: string | null; file: string };
  /** Records after the last valid checkpoint: their removal or rewriting cannot be detected. */
  afterLastCheckpoint: number;
  checked: string[];
  cannotDetect: string[];
}

export interface VerifyOptions {
  dataDir: string;
  keyDir: string;
  pageSize?: number;
}

interface Prev {
  id: number;
  hash: string;
  prevHash: string | null;
}

export async function verifyAuditTrail(control: ControlStore, opts: VerifyOptions): Promise<AuditVerifyReport> {
  const problems: AuditProblem[] = [];
  const pageSize = opts.pageSize ?? 2000;
  const cps = checkpointService(control, opts);

  // Checkpoints: one per thousands of events, so all of them fit in memory.
  const rows = [];
  for (let after = 0; ; ) {
    const page = await cps.rows(after, 5000);
    if (page.length === 0) break;
    rows.push(...page);
    after = page[page.length - 1]!.id;
  }
  const lines = cps.fileLines();
  // Keys last: the signing key is created before the first checkpoint is written, so every checkpoint read
  // above has its key on disk by now (read first, a key created during a concurrent first checkpoint would be
  // missing and its valid signature reported as bad).
  const keys = loadVerifyingKeys(opts.keyDir);
  const key = keys.local;
  const fileKey = (c: Checkpoint) => `${c.lastEventId}|${c.headHash}|${c.signature}`;
  const inFile = new Map<string, Checkpoint>();
  for (const l of lines) if (l.checkpoint) inFile.set(fileKey(l.checkpoint), l.checkpoint);
  const inRows = new Set(rows.map(fileKey));
  /** lastEventId → the head hashes signed for it (normally one). */
  const claims = new Map<number, Set<string>>();
  let validSignatures = 0;
  const valid = (c: Checkpoint) => {
    const k = keys.byId.get(c.keyId);
    if (!k || !signatureValid(c, k.publicKey)) return false;
    validSignatures++;
    const s = claims.get(c.lastEventId) ?? new Set<string>();
    s.add(c.headHash);
    claims.set(c.lastEventId, s);
    return true;
  };
  for (const r of rows) {
    if (!keys.byId.has(r.keyId)) {
      problems.push({
        kind: 'checkpoint-key',
        checkpointId: r.id,
        message: `checkpoint ${r.id} (record ${r.lastEventId}) is signed with key ${r.keyId}, which is not in ${opts.keyDir}: a forgery, or another server's key (copy its ${PUBLIC_KEY_FILE} there as ${r.keyId}.pub)`,
      });
    } else if (!valid(r)) {
      problems.push({ kind: 'checkpoint-signature', checkpointId: r.id, message: `checkpoint ${r.id} (record ${r.lastEventId}): the signature does not verify; the checkpoint was forged or altered` });
    }
    // This host's file holds the checkpoints of this host's key; other servers keep their own files.
    const f = inFile.get(fileKey(r));
    if (r.keyId === key?.keyId && (!f || !sameCheckpoint(f, r))) {
      problems.push({ kind: 'checkpoint-not-in-file', checkpointId: r.id, message: `checkpoint ${r.id} (record ${r.lastEventId}) is not in ${cps.filePath}: it was added to the database only, or the file was truncated` });
    }
  }
  const rowless: { line: number; c: Checkpoint }[] = [];
  for (const l of lines) {
    if (!l.checkpoint) {
      problems.push({ kind: 'checkpoint-file', fileLine: l.line, message: `${cps.filePath} line ${l.line} is not a checkpoint` });
      continue;
    }
    const c = l.checkpoint;
    if (!valid(c)) {
      problems.push({ kind: 'checkpoint-signature', fileLine: l.line, message: `${cps.filePath} line ${l.line} (record ${c.lastEventId}): the signature does not verify with a key in ${opts.keyDir}` });
    }
    if (!inRows.has(fileKey(c))) rowless.push({ line: l.line, c });
  }
  // Rows were read before the file and each line is written before its row, so a line without a row may be
  // a checkpoint being written right now: look again before calling it deleted.
  for (const { line, c } of rowless) {
    const again = await control.db
      .selectFrom('audit_checkpoints')
      .select('id')
      .where('last_event_id', '=', c.lastEventId)
      .where('head_hash', '=', c.headHash)
      .where('signature', '=', c.signature)
      .executeTakeFirst();
    if (again) continue;
    problems.push({
      kind: 'checkpoint-row-deleted',
      fileLine: line,
      message: `the checkpoint of record ${c.lastEventId} (${cps.filePath} line ${line}) has no matching row in audit_checkpoints: the row was deleted or altered`,
    });
  }
  const lastCoveredId = maxOf(claims.keys());

  // The chain, in pages by id.
  let firstBad: AuditVerifyReport['firstBad'] = null;
  const bad = (id: number, kind: AuditProblemKind, message: string) => {
    firstBad = { id, kind, message };
    problems.push({ kind, recordId: id, message });
  };
  let prev: Prev = { id: 0, hash: GENESIS_HASH, prevHash: null };
  let records = 0;
  let firstId: number | null = null;
  let afterLastCheckpoint = 0;
  const seenClaims = new Set<number>();
  walk: for (let after = 0; ; ) {
    const page = await control.db.selectFrom('audit_events').selectAll().where('id', '>', after).orderBy('id').limit(pageSize).execute();
    if (page.length === 0) break;
    for (const raw of page) {
      const r = { ...raw, id: Number(raw.id), row_count: raw.row_count === null ? null : Number(raw.row_count) };
      firstId ??= r.id;
      if (r.hash === null) {
        bad(r.id, 'unchained', `record ${r.id} has no hash: it was written outside the audit log`);
        break walk;
      }
      if (r.prev_hash !== prev.hash) {
        if (prev.prevHash !== null && r.prev_hash === prev.prevHash) {
          bad(prev.id, 'inserted', `record ${prev.id} was inserted: record ${r.id} continues from the record before it`);
        } else if (r.id > prev.id + 1) {
          bad(prev.id + 1, 'missing', r.id === prev.id + 2 ? `record ${prev.id + 1} is missing (deleted)` : `records ${prev.id + 1} to ${r.id - 1} are missing (deleted)`);
        } else {
          bad(r.id, 'out-of-place', `record ${r.id} does not follow record ${prev.id || '(start)'}: records were reordered, or one before it was replaced`);
        }
        break walk;
      }
      if (chainHash(prev.hash, r) !== r.hash) {
        bad(r.id, 'edited', `record ${r.id} was altered: its fields no longer match its hash`);
        break walk;
      }
      const claim = claims.get(r.id);
      if (claim) {
        seenClaims.add(r.id);
        if (!claim.has(r.hash)) {
          bad(r.id, 'rewritten', `record ${r.id} differs from its signed checkpoint: the chain up to it was rewritten${lastGood(claims, r.id)}`);
          break walk;
        }
      }
      records++;
      if (lastCoveredId === null || r.id > lastCoveredId) afterLastCheckpoint++;
      prev = { id: r.id, hash: r.hash, prevHash: r.prev_hash };
    }
    after = prev.id;
    if (page.length < pageSize) break;
  }
  if (!firstBad) {
    const lost = [...claims.keys()].filter((id) => !seenClaims.has(id)).sort((a, b) => a - b);
    if (lost.length > 0) {
      const last = lost[lost.length - 1]!;
      const from = lost[0]! > prev.id ? prev.id + 1 : lost[0]!;
      bad(from, 'missing', `records from ${from} are missing: a signed checkpoint covers record ${last}, but the chain ends at ${prev.id || 'nothing'} (the tail was truncated)`);
    }
  }

  const keyPath = join(opts.keyDir, PRIVATE_KEY_FILE);
  const checked = [
    `hash chain: ${records} record(s)${firstId !== null ? ` (ids ${firstId} to ${prev.id})` : ''}; each record's SHA-256 over its fields and the previous hash, and each link to the record before it`,
    `checkpoints: ${rows.length} in the database, ${lines.length} in ${cps.filePath}; ${validSignatures} of ${rows.length + lines.filter((l) => l.checkpoint).length} signature(s) valid with ${keys.byId.size ? `key(s) ${[...keys.byId.keys()].join(', ')}` : 'no key (none found)'}; every database checkpoint of this server's key is in the file and every file line has its database row`,
    lastCoveredId === null ? 'no valid checkpoint yet: nothing anchors the chain against truncation' : `every signed head is present with its signed hash; the last covers record ${lastCoveredId}`,
  ];
  const cannotDetect = [
    lastCoveredId === null
      ? `no checkpoint covers any record: records can be removed from the end, or the chain rewritten with recomputed hashes (the algorithm is public), without detection (${afterLastCheckpoint} record(s) exposed)`
      : `records after the last checkpoint (record ${lastCoveredId}) can be removed, or rewritten with recomputed hashes (the algorithm is public), without detection: ${afterLastCheckpoint} record(s) are in that window now`,
    `someone holding the private key (${keyPath}) can rewrite the whole trail and sign new checkpoints; with write access to both the database and ${cps.filePath} they can also drop the latest checkpoints; keep the key and the file where database administrators cannot write`,
  ];
  const head = firstBad === null && prev.id > 0 ? { id: prev.id, hash: prev.hash } : null;
  return {
    intact: problems.length === 0,
    records,
    firstId,
    head,
    firstBad,
    problems,
    checkpoints: { rows: rows.length, fileLines: lines.length, validSignatures, lastCoveredId, keyId: key?.keyId ?? null, file: cps.filePath },
    afterLastCheckpoint,
    checked,
    cannotDetect,
  };
}

function maxOf(ids: Iterable<number>): number | null {
  let m: number | null = null;
  for (const id of ids) if (m === null || id > m) m = id;
  return m;
}

function lastGood(claims: Map<number, Set<string>>, id: number): string {
  const before = maxOf([...claims.keys()].filter((k) => k < id));
  return before !== null ? ` after record ${before} (covered by an earlier checkpoint that still matches)` : '';
}
