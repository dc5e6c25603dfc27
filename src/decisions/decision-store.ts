/**
 * Analyst decisions on screening hits and anomalies, in the control store.
 *
 * Invariants:
 * - Append-only: a decision is never updated or deleted. A new decision on the same subject supersedes
 *   the previous one (it records which), so the whole history stays readable and audited.
 * - A decision on a hit records the entry fingerprint the analyst saw; a false positive suppresses that
 *   (party, entry) pair only while the entry keeps that fingerprint (batch screening compares them).
 * - Notes are free text kept in the control store only; they never go into logs or audit details.
 */
import type { ControlStore } from '../control/index.ts';

export const DECISION_KINDS = ['confirmed', 'false_positive', 'escalate'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];
export type SubjectKind = 'hit' | 'anomaly';

export interface Decision {
  id: number;
  subject_kind: SubjectKind;
  subject_id: string;
  party_id: string | null;
  list_id: string | null;
  entry_id: string | null;
  entry_fingerprint: string | null;
  decision: DecisionKind;
  note: string | null;
  decided_by: string;
  decided_at: string;
  supersedes: number | null;
}

export interface NewDecision {
  subject_kind: SubjectKind;
  subject_id: string;
  decision: DecisionKind;
  note?: string | null;
  party_id?: string | null;
  list_id?: string | null;
  entry_id?: string | null;
  entry_fingerprint?: string | null;
  decided_by: string;
}

export interface DecisionStore {
  record(d: NewDecision): Promise<Decision>;
  /** Every decision on the subjects, oldest first. */
  history(kind: SubjectKind, ids: readonly string[]): Promise<Decision[]>;
  /** The latest decision per subject id. */
  latest(kind: SubjectKind, ids: readonly string[]): Promise<Map<string, Decision>>;
  /** The latest decision on every subject of a kind (for rebuilding mirrors of the decisions). */
  latestAll(kind: SubjectKind): Promise<Map<string, Decision>>;
}

const CHUNK = 500;

export function decisionStore(control: ControlStore): DecisionStore {
  const db = control.db;
  const toDecision = (r: Record<string, any>): Decision => ({
    id: Number(r['id']),
    subject_kind: r['subject_kind'],
    subject_id: r['subject_id'],
    party_id: r['party_id'] ?? null,
    list_id: r['list_id'] ?? null,
    entry_id: r['entry_id'] ?? null,
    entry_fingerprint: r['entry_fingerprint'] ?? null,
    decision: r['decision'],
    note: r['note'] ?? null,
    decided_by: r['decided_by'],
    decided_at: r['decided_at'],
    supersedes: r['supersedes'] === null || r['supersedes'] === undefined ? null : Number(r['supersedes']),
  });
  async function history(kind: SubjectKind, ids: readonly string[]): Promise<Decision[]> {
    const out: Decision[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const part = ids.slice(i, i + CHUNK);
      if (!part.length) continue;
      const rows = await db.selectFrom('party_decisions').selectAll().where('subject_kind', '=', kind).where('subject_id', 'in', part).orderBy('id').execute();
      out.push(...rows.map((r) => toDecision(r as Record<string, any>)));
    }
    return out.sort((a, b) => a.id - b.id);
  }
  return {
    async record(d) {
      const prev = await db
        .selectFrom('party_decisions')
        .select('id')
        .where('subject_kind', '=', d.subject_kind)
        .where('subject_id', '=', d.subject_id)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const row = await db
        .insertInto('party_decisions')
        .values({
          subject_kind: d.subject_kind,
          subject_id: d.subject_id,
          party_id: d.party_id ?? null,
          list_id: d.list_id ?? null,
          entry_id: d.entry_id ?? null,
          entry_fingerprint: d.entry_fingerprint ?? null,
          decision: d.decision,
          note: d.note ?? null,
          decided_by: d.decided_by,
          decided_at: new Date().toISOString(),
          supersedes: prev ? Number(prev.id) : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toDecision(row as Record<string, any>);
    },
    history,
    async latest(kind, ids) {
      const m = new Map<string, Decision>();
      for (const d of await history(kind, ids)) m.set(d.subject_id, d);
      return m;
    },
    async latestAll(kind) {
      // The latest is the highest id per subject: ids grow with every append, and supersedes follows them.
      const newest = db.selectFrom('party_decisions').select((eb) => eb.fn.max('id').as('id')).where('subject_kind', '=', kind).groupBy('subject_id');
      const rows = await db.selectFrom('party_decisions').selectAll().where('id', 'in', newest).execute();
      return new Map(rows.map((r) => toDecision(r as Record<string, any>)).map((d) => [d.subject_id, d]));
    },
  };
}
