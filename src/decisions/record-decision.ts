/**
 * Recording an analyst decision: check the subject exists in the caller's scope, append the decision, and
 * apply it to the hit's status at once (a false positive suppresses, any other decision re-opens).
 *
 * Invariants:
 * - The subject is looked up through the caller's ScopedDb first: a caller cannot decide on (or learn the
 *   existence of) a hit or anomaly outside their scope; both cases answer "no such ...".
 * - The decision row is the record; the hit's status and its mirrored decision (watchlist_hits.decision,
 *   read by the watchlist-exposure measure) in the analytical store are derived from it and are re-derived
 *   by every batch screen, so a crash between the writes heals on the next screen.
 */
import { getAnomaly } from '../detect/index.ts';
import type { ScopedDb } from '../query/index.ts';
import type { AnalyticalStore } from '../store/index.ts';
import { mirrorHitDecision, type HitDecisions } from '../screening/index.ts';
import type { Decision, DecisionKind, DecisionStore } from './decision-store.ts';

export class DecisionLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecisionLookupError';
  }
}

export interface DecisionRequest {
  hit?: string | undefined;
  anomaly?: string | undefined;
  decision: DecisionKind;
  note?: string | null | undefined;
}

export async function recordDecision(
  deps: { store: AnalyticalStore; decisions: DecisionStore },
  db: ScopedDb,
  req: DecisionRequest,
  decidedBy: string,
): Promise<Decision> {
  if (!!req.hit === !!req.anomaly) throw new DecisionLookupError('give exactly one of hit or anomaly');
  if (req.hit) {
    const hit = await db.db
      .selectFrom('watchlist_hits')
      .select(['hit_id', 'list_id', 'party_id', 'entry_id', 'entry_fingerprint', 'status'])
      .where('hit_id', '=', req.hit)
      .executeTakeFirst();
    if (!hit) throw new DecisionLookupError('no such hit');
    const d = await deps.decisions.record({
      subject_kind: 'hit',
      subject_id: req.hit,
      decision: req.decision,
      note: req.note ?? null,
      party_id: hit['party_id'] as string,
      list_id: hit['list_id'] as string,
      entry_id: hit['entry_id'] as string,
      entry_fingerprint: hit['entry_fingerprint'] as string,
      decided_by: decidedBy,
    });
    await deps.store.withWriteConnection((c) =>
      c.run(`UPDATE watchlist_hits SET status = $2 WHERE hit_id = $1 AND status <> 'retired' AND entry_fingerprint = $3`, [
        req.hit!,
        req.decision === 'false_positive' ? 'suppressed' : 'open',
        hit['entry_fingerprint'] as string,
      ]),
    );
    await mirrorHitDecision(deps.store, req.hit, req.decision);
    return d;
  }
  const a = await getAnomaly(db, req.anomaly!);
  if (!a) throw new DecisionLookupError('no such anomaly');
  return deps.decisions.record({ subject_kind: 'anomaly', subject_id: req.anomaly!, decision: req.decision, note: req.note ?? null, decided_by: decidedBy });
}

/** The decisions batch screening consults, from the control store. */
export function hitDecisions(decisions: DecisionStore): HitDecisions {
  return {
    async latestFor(ids) {
      const m = await decisions.latest('hit', ids);
      return new Map([...m].map(([id, d]) => [id, { decision: d.decision, entry_fingerprint: d.entry_fingerprint }]));
    },
    async all() {
      const m = await decisions.latestAll('hit');
      return new Map([...m].map(([id, d]) => [id, { decision: d.decision, entry_fingerprint: d.entry_fingerprint }]));
    },
  };
}
