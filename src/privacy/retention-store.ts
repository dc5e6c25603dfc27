/**
 * Retention periods, legal holds and the purge record in the control store (SQLite or PostgreSQL).
 *
 * Invariants:
 * - Holds are never deleted: a release stamps who, when and why, so the record of every hold survives it.
 *   A released hold cannot be released again (guarded update: a concurrent second release gets a conflict).
 * - Policies are one row per category, replaced by a new setting; every change is audited by the caller
 *   (the audit trail is the history of settings).
 * - Everything here is the portable column subset, so no query branches on the engine.
 */
import type { ControlStore } from '../control/index.ts';
import { DATASET_CATEGORIES, type DatasetCategory } from '../schema/index.ts';
import {
  checkPolicyInput,
  defaultPolicy,
  HOLD_KINDS,
  RETAINED_CATEGORIES,
  RetentionError,
  type HoldKind,
  type LegalHold,
  type RetentionBasis,
  type RetentionPolicy,
} from './retention-policy.ts';

export interface PurgeRecord {
  id: number;
  at: string;
  principal: string;
  asOf: string;
  rowsRemoved: number;
  summary: unknown;
}

export interface RetentionStore {
  policies(): Promise<RetentionPolicy[]>;
  setPolicy(p: { category: string; years: number; basis: RetentionBasis; by: string; reason: string }): Promise<RetentionPolicy>;
  holds(opts?: { active?: boolean }): Promise<LegalHold[]>;
  placeHold(h: { kind: string; target: string; reason: string; by: string }): Promise<LegalHold>;
  releaseHold(id: number, r: { by: string; reason: string }): Promise<LegalHold>;
  recordPurge(p: { principal: string; asOf: string; rowsRemoved: number; summary: unknown }): Promise<PurgeRecord>;
  purges(limit?: number): Promise<PurgeRecord[]>;
}

const needText = (what: string, v: string, max = 500) => {
  if (typeof v !== 'string' || v.trim().length < 3) throw new RetentionError('invalid', `${what} is required (at least 3 characters)`);
  if (v.length > max) throw new RetentionError('invalid', `${what} is longer than ${max} characters`);
};

type HoldRow = {
  id: number;
  target_kind: HoldKind;
  target: string;
  reason: string;
  placed_by: string;
  placed_at: string;
  released_by: string | null;
  released_at: string | null;
  release_reason: string | null;
};
const toHold = (r: HoldRow): LegalHold => ({
  id: Number(r.id),
  kind: r.target_kind,
  target: r.target,
  reason: r.reason,
  placedBy: r.placed_by,
  placedAt: r.placed_at,
  releasedBy: r.released_by,
  releasedAt: r.released_at,
  releaseReason: r.release_reason,
});

export function retentionStore(control: ControlStore, now: () => Date = () => new Date()): RetentionStore {
  const { db } = control;
  const hold = async (id: number) => {
    const r = await db.selectFrom('legal_holds').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new RetentionError('not-found', `no legal hold ${id}; list them with \`parallax retention holds\``);
    return toHold(r as HoldRow);
  };
  return {
    async policies() {
      const rows = await db.selectFrom('retention_policies').selectAll().execute();
      return RETAINED_CATEGORIES.map((category) => {
        const r = rows.find((x) => x.category === category);
        return r ? { category, years: Number(r.years), basis: r.basis, setBy: r.set_by, setAt: r.set_at, reason: r.reason } : defaultPolicy(category);
      });
    },

    async setPolicy(p) {
      checkPolicyInput(p.category, p.years, p.basis);
      needText('a reason', p.reason);
      const row = { category: p.category, years: p.years, basis: p.basis, set_by: p.by, set_at: now().toISOString(), reason: p.reason.trim() };
      await db
        .insertInto('retention_policies')
        .values(row)
        .onConflict((oc) => oc.column('category').doUpdateSet({ years: row.years, basis: row.basis, set_by: row.set_by, set_at: row.set_at, reason: row.reason }))
        .execute();
      return { category: p.category as DatasetCategory, years: p.years, basis: p.basis, setBy: p.by, setAt: row.set_at, reason: row.reason };
    },

    async holds(opts = {}) {
      let q = db.selectFrom('legal_holds').selectAll().orderBy('id');
      if (opts.active) q = q.where('released_at', 'is', null);
      return (await q.execute()).map((r) => toHold(r as HoldRow));
    },

    async placeHold(h) {
      if (!(HOLD_KINDS as readonly string[]).includes(h.kind)) throw new RetentionError('invalid', `a hold names one of ${HOLD_KINDS.join(', ')}`);
      if (h.kind === 'category' && !(DATASET_CATEGORIES as readonly string[]).includes(h.target))
        throw new RetentionError('invalid', `category ${JSON.stringify(h.target)} is not one of ${DATASET_CATEGORIES.join(', ')}`);
      if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(h.target)) throw new RetentionError('invalid', `the hold's ${h.kind} must be 1-64 letters, digits or . _ : -`);
      needText('a reason (the case or order behind the hold)', h.reason);
      const r = await db
        .insertInto('legal_holds')
        .values({ target_kind: h.kind as HoldKind, target: h.target, reason: h.reason.trim(), placed_by: h.by, placed_at: now().toISOString(), released_by: null, released_at: null, release_reason: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      return hold(Number(r.id));
    },

    async releaseHold(id, r) {
      needText('a reason for the release', r.reason);
      const before = await hold(id);
      if (before.releasedAt) throw new RetentionError('conflict', `legal hold ${id} was already released by ${before.releasedBy} at ${before.releasedAt}`);
      const res = await db
        .updateTable('legal_holds')
        .set({ released_by: r.by, released_at: now().toISOString(), release_reason: r.reason.trim() })
        .where('id', '=', id)
        .where('released_at', 'is', null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw new RetentionError('conflict', `legal hold ${id} was released by someone else just now`);
      return hold(id);
    },

    async recordPurge(p) {
      const at = now().toISOString();
      const r = await db
        .insertInto('purges')
        .values({ at, principal: p.principal, as_of: p.asOf, summary: JSON.stringify(p.summary), rows_removed: p.rowsRemoved })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: Number(r.id), at, principal: p.principal, asOf: p.asOf, rowsRemoved: p.rowsRemoved, summary: p.summary };
    },

    async purges(limit = 100) {
      const rows = await db.selectFrom('purges').selectAll().orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => ({ id: Number(r.id), at: r.at, principal: r.principal, asOf: r.as_of, rowsRemoved: Number(r.rows_removed), summary: JSON.parse(r.summary) as unknown }));
    },
  };
}
