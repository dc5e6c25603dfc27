/**
 * Analysts' decisions on anomalies as training labels: a line an analyst confirmed is a positive, one they
 * marked a false positive a negative, for the next `analyze --train` (train-ranking.ts, train-risk-model.ts).
 *
 * Invariants:
 * - The decision record (control store) keeps who decided and when; a training names the decisions it used
 *   by id, so every label can be traced to its analyst and time.
 * - Only the latest decision on an anomaly counts (a later one supersedes), and per line the most recent
 *   decision over all of its anomalies (in any run): an analyst who changes their mind changes the label.
 *   'escalate' is no verdict and labels nothing.
 * - Anomalies are looked up through the caller's ScopedDb: decisions on lines outside the scope label nothing.
 *   Only line anomalies label lines.
 * - Few rows (human decisions), so they are read into memory; ids travel as bound parameters.
 */
import { sql, type Kysely } from 'kysely';
import type { DecidedLine, DecisionProvenance } from '../detect/index.ts';
import type { ScopedDb } from '../query/index.ts';
import type { Decision, DecisionStore } from './decision-store.ts';

const CHUNK = 1000;

export interface DecisionLabels {
  lines: DecidedLine[];
  provenance: DecisionProvenance | undefined;
}

export async function decisionLabels(decisions: DecisionStore, db: ScopedDb): Promise<DecisionLabels> {
  const latest = [...(await decisions.latestAll('anomaly')).values()].filter((d) => d.decision === 'confirmed' || d.decision === 'false_positive');
  const byAnomaly = new Map(latest.map((d) => [d.subject_id, d]));
  const ids = [...byAnomaly.keys()];
  const perLine = new Map<string, { line: DecidedLine; decision: Decision }>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    const found = await (db.db as Kysely<any>)
      .selectFrom('anomalies as a')
      .where('a.subject_kind', '=', 'line')
      .where('a.declaration_id', 'is not', null)
      .where(sql<boolean>`a.anomaly_id IN (SELECT unnest(from_json(${JSON.stringify(part)}::JSON, '["VARCHAR"]')))`)
      .select(['a.anomaly_id', 'a.provider', 'a.declaration_id', 'a.line_no'])
      .execute();
    for (const r of found) {
      const d = byAnomaly.get(String(r['anomaly_id']))!;
      const line: DecidedLine = { provider: String(r['provider']), declaration_id: String(r['declaration_id']), line_no: Number(r['line_no'] ?? 1), positive: d.decision === 'confirmed' };
      const key = `${line.provider}\u0001${line.declaration_id}\u0001${line.line_no}`;
      const prev = perLine.get(key);
      if (!prev || d.id > prev.decision.id) perLine.set(key, { line, decision: d });
    }
  }
  const used = [...perLine.values()].sort((a, b) => a.decision.id - b.decision.id);
  if (!used.length) return { lines: [], provenance: undefined };
  const times = used.map((u) => u.decision.decided_at).sort();
  return {
    lines: used.map((u) => u.line),
    provenance: {
      decision_ids: used.map((u) => u.decision.id),
      confirmed: used.filter((u) => u.line.positive).length,
      false_positive: used.filter((u) => !u.line.positive).length,
      from: times[0] ?? null,
      to: times.at(-1) ?? null,
    },
  };
}
