/**
 * Analysts' entity-resolution overrides in the control store: merge two parties, or split one member off
 * its party. Kept forever and re-applied by every resolution, so a decision survives later loads.
 *
 * Invariants:
 * - Append-only: an override is never edited or deleted; a later split of a member cancels earlier merges
 *   that named it (resolve-parties applies them in id order).
 * - An override names members (source, provider, ref), not party ids, because party ids are an output of
 *   resolution; the party ids at decision time are kept for the record only.
 */
import type { ControlStore } from '../control/index.ts';

export type MemberSource = 'trade' | 'payment';

export interface MemberRef {
  source: MemberSource;
  provider: string;
  ref: string;
}

export interface PartyOverride {
  id: number;
  kind: 'merge' | 'split';
  a: MemberRef;
  b: MemberRef | null;
  party_a: string | null;
  party_b: string | null;
  note: string | null;
  decided_by: string;
  decided_at: string;
}

export interface PartyOverrides {
  list(): Promise<PartyOverride[]>;
  add(o: { kind: 'merge' | 'split'; a: MemberRef; b?: MemberRef | null; partyA?: string | null; partyB?: string | null; note?: string | null; decidedBy: string }): Promise<PartyOverride>;
}

export function partyOverrides(control: ControlStore): PartyOverrides {
  const db = control.db;
  const toOverride = (r: Record<string, any>): PartyOverride => ({
    id: Number(r['id']),
    kind: r['kind'],
    a: { source: r['source_a'], provider: r['provider_a'], ref: r['ref_a'] },
    b: r['ref_b'] === null ? null : { source: r['source_b'], provider: r['provider_b'], ref: r['ref_b'] },
    party_a: r['party_a'] ?? null,
    party_b: r['party_b'] ?? null,
    note: r['note'] ?? null,
    decided_by: r['decided_by'],
    decided_at: r['decided_at'],
  });
  return {
    async list() {
      const rows = await db.selectFrom('party_overrides').selectAll().orderBy('id').execute();
      return rows.map((r) => toOverride(r as Record<string, any>));
    },
    async add(o) {
      const row = await db
        .insertInto('party_overrides')
        .values({
          kind: o.kind,
          source_a: o.a.source,
          provider_a: o.a.provider,
          ref_a: o.a.ref,
          source_b: o.b?.source ?? null,
          provider_b: o.b?.provider ?? null,
          ref_b: o.b?.ref ?? null,
          party_a: o.partyA ?? null,
          party_b: o.partyB ?? null,
          note: o.note ?? null,
          decided_by: o.decidedBy,
          decided_at: new Date().toISOString(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toOverride(row as Record<string, any>);
    },
  };
}
