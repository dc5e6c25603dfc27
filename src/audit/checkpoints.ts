/**
 * Signed checkpoints of the audit chain head: "record N has hash H", signed with Ed25519.
 *
 * Invariants:
 * - a checkpoint is written to the append-only file `<dataDir>/audit-checkpoints.log` first and to the
 *   audit_checkpoints table second, so a crash can leave a file line without a row (which `verify` reports)
 *   but never a row the file does not vouch for; deleting rows is detected from the file, and the file is
 *   only ever opened for appending.
 * - the signed message is a fixed text of the fields (CHECKPOINT_FORMAT), so it can be checked with any
 *   Ed25519 implementation from an export.
 * - checkpointing is idempotent per head: when the newest checkpoint already covers the head, nothing is
 *   written (several processes may race to checkpoint the same head; duplicates are harmless).
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlStore } from '../control/index.ts';
import { loadOrCreateSigningKey, type SigningKey } from './signing-key.ts';

export const CHECKPOINT_FILE = 'audit-checkpoints.log';
export const CHECKPOINT_FORMAT = 'parallax-audit-checkpoint/v1';

export interface Checkpoint {
  at: string;
  lastEventId: number;
  headHash: string;
  keyId: string;
  /** Base64 Ed25519 signature of checkpointMessage(). */
  signature: string;
}

export interface StoredCheckpoint extends Checkpoint {
  /** Row id in audit_checkpoints. */
  id: number;
}

export interface CheckpointFileLine {
  line: number;
  checkpoint: Checkpoint | null;
}

export function checkpointMessage(c: Omit<Checkpoint, 'signature'>): string {
  return `${CHECKPOINT_FORMAT}\n${c.at}\n${c.lastEventId}\n${c.headHash}\n${c.keyId}`;
}

export function signatureValid(c: Checkpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(checkpointMessage(c)), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

export function sameCheckpoint(a: Checkpoint, b: Checkpoint): boolean {
  return a.lastEventId === b.lastEventId && a.headHash === b.headHash && a.signature === b.signature && a.at === b.at && a.keyId === b.keyId;
}

export interface CheckpointService {
  readonly filePath: string;
  /** Signs the current head unless the newest checkpoint already covers it; returns what was written. */
  create(): Promise<Checkpoint | null>;
  /** The newest checkpoint row, if any. */
  latest(): Promise<StoredCheckpoint | null>;
  /** Rows in id order, after `afterId`, at most `limit`. */
  rows(afterId: number, limit: number): Promise<StoredCheckpoint[]>;
  /** Every line of the file, parsed; a line that does not parse has checkpoint null. */
  fileLines(): CheckpointFileLine[];
}

export function checkpointService(control: ControlStore, opts: { dataDir: string; keyDir: string }): CheckpointService {
  const filePath = join(opts.dataDir, CHECKPOINT_FILE);
  let key: SigningKey | null = null;
  const toStored = (r: { id: number; at: string; last_event_id: number; head_hash: string; key_id: string; signature: string }): StoredCheckpoint => ({
    id: Number(r.id),
    at: r.at,
    lastEventId: Number(r.last_event_id),
    headHash: r.head_hash,
    keyId: r.key_id,
    signature: r.signature,
  });

  return {
    filePath,
    async create() {
      const head = await control.db
        .selectFrom('audit_events')
        .select(['id', 'hash'])
        .where('hash', 'is not', null)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!head) return null;
      const newest = await this.latest();
      if (newest && newest.lastEventId >= Number(head.id)) return null;
      key ??= loadOrCreateSigningKey(opts.keyDir);
      const body = { at: new Date().toISOString(), lastEventId: Number(head.id), headHash: head.hash!, keyId: key.keyId };
      const cp: Checkpoint = { ...body, signature: sign(null, Buffer.from(checkpointMessage(body)), key.privateKey).toString('base64') };
      // One write() of one line with O_APPEND: concurrent writers cannot interleave within a line.
      appendFileSync(filePath, `${JSON.stringify({ v: 1, at: cp.at, last_event_id: cp.lastEventId, head_hash: cp.headHash, key_id: cp.keyId, signature: cp.signature })}\n`, { flag: 'a', mode: 0o600 });
      await control.db
        .insertInto('audit_checkpoints')
        .values({ at: cp.at, last_event_id: cp.lastEventId, head_hash: cp.headHash, key_id: cp.keyId, signature: cp.signature })
        .execute();
      return cp;
    },
    async latest() {
      const r = await control.db.selectFrom('audit_checkpoints').selectAll().orderBy('last_event_id', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
      return r ? toStored(r) : null;
    },
    async rows(afterId, limit) {
      const rs = await control.db.selectFrom('audit_checkpoints').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
      return rs.map(toStored);
    },
    fileLines() {
      if (!existsSync(filePath)) return [];
      const text = readFileSync(filePath, 'utf8');
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      return lines.map((l, i) => ({ line: i + 1, checkpoint: parseLine(l) }));
    },
  };
}

function parseLine(l: string): Checkpoint | null {
  try {
    const o = JSON.parse(l) as Record<string, unknown>;
    const { at, last_event_id, head_hash, key_id, signature } = o;
    if (o['v'] !== 1 || typeof at !== 'string' || typeof last_event_id !== 'number' || typeof head_hash !== 'string' || typeof key_id !== 'string' || typeof signature !== 'string') return null;
    return { at, lastEventId: last_event_id, headHash: head_hash, keyId: key_id, signature };
  } catch {
    return null;
  }
}
