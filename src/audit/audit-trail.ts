/**
 * The audit trail services of one data directory: the chained log, its signed checkpoints, verification,
 * export and the disclosure ledger, wired once by the runtime.
 *
 * Checkpoint policy (why): a checkpoint bounds what can be removed or rewritten undetected to the records
 * after it, so the trail signs its head every `checkpointEvery` records, when the newest checkpoint is older
 * than `checkpointIntervalMs` at an append (a quiet server does not sign the same head again and again),
 * on demand, and at close (the end of every CLI command and of `serve`). The checks run in the log's append
 * queue, so they cost nothing on the request path beyond the group they follow.
 */
import type { Writable } from 'node:stream';
import { auditLog, type AuditHead, type AuditLog, type ControlStore } from '../control/index.ts';
import { checkpointService, type Checkpoint, type CheckpointService } from './checkpoints.ts';
import { disclosureLedger, type DisclosureLedger } from './disclosure-ledger.ts';
import { exportAuditTrail, type ExportSummary } from './export-trail.ts';
import { auditKeyDir } from './signing-key.ts';
import { verifyAuditTrail, type AuditVerifyReport } from './verify-trail.ts';

export interface AuditTrailOptions {
  dataDir: string;
  /** Default PARALLAX_AUDIT_KEY_DIR or `<dataDir>/keys`. */
  keyDir?: string | undefined;
  /** Sign the head after this many records; 0 turns the count rule off. Default 1000. */
  checkpointEvery?: number;
  /** Sign the head at an append when the newest checkpoint is older than this; 0 turns it off. Default 60 s. */
  checkpointIntervalMs?: number;
  /** Sign the head at close when it moved. Default true. */
  checkpointOnClose?: boolean;
}

export interface AuditTrail {
  readonly log: AuditLog;
  readonly disclosures: DisclosureLedger;
  readonly checkpoints: CheckpointService;
  readonly keyDir: string;
  /** Signs the head now unless it is already signed; returns the checkpoint covering it (null when empty). */
  checkpoint(): Promise<Checkpoint | null>;
  verify(opts?: { pageSize?: number }): Promise<AuditVerifyReport>;
  export(out: Writable, range?: { from?: string | undefined; to?: string | undefined }): Promise<ExportSummary>;
  /** Writes queued events and the closing checkpoint; the control store stays open. */
  close(): Promise<void>;
}

export function auditTrail(control: ControlStore, opts: AuditTrailOptions): AuditTrail {
  const keyDir = auditKeyDir(opts.dataDir, opts.keyDir);
  const every = opts.checkpointEvery ?? 1000;
  const intervalMs = opts.checkpointIntervalMs ?? 60_000;
  const checkpoints = checkpointService(control, { dataDir: opts.dataDir, keyDir });
  let known: { lastEventId: number; atMs: number } | null = null;

  async function checkpoint(): Promise<Checkpoint | null> {
    const cp = await checkpoints.create();
    if (cp) known = { lastEventId: cp.lastEventId, atMs: Date.parse(cp.at) };
    return cp;
  }

  async function afterAppend(head: AuditHead): Promise<void> {
    if (!known) {
      const l = await checkpoints.latest();
      known = { lastEventId: l?.lastEventId ?? 0, atMs: l ? Date.parse(l.at) : 0 };
    }
    const dueByCount = every > 0 && head.id - known.lastEventId >= every;
    const dueByTime = intervalMs > 0 && Date.now() - known.atMs >= intervalMs;
    if (dueByCount || dueByTime) await checkpoint();
  }

  const log = auditLog(control, { afterAppend });
  return {
    log,
    disclosures: disclosureLedger(control),
    checkpoints,
    keyDir,
    async checkpoint() {
      await log.flush();
      // The head may already be signed (by the append rules or another process): report what covers it.
      return (await checkpoint()) ?? (await checkpoints.latest());
    },
    verify: (o = {}) => verifyAuditTrail(control, { dataDir: opts.dataDir, keyDir, pageSize: o.pageSize }),
    export: (out, range = {}) => exportAuditTrail(control, out, { dataDir: opts.dataDir, keyDir, from: range.from, to: range.to }),
    async close() {
      await log.flush();
      if (opts.checkpointOnClose === false) return;
      // A failed closing checkpoint must not fail the command that ran; `verify` reports the exposed tail.
      await checkpoint().catch(() => undefined);
    },
  };
}
