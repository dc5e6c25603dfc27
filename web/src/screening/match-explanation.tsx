/**
 * The per-feature explanation of a name match (screening candidates and stored watch-list hits share it):
 * token pairs and how each matched, phonetic agreement, coverage, type and country adjustments,
 * identifiers and penalties, then the final score. A screen's explanation also names which of the
 * query's identifiers matched (`matched_ids`, type and value); stored hits carry only the types.
 */
import type { Explanation } from '../api/types.ts';

const pct = (v: number) => `${Math.round(v * 100)}%`;

/** The identifiers that matched, with values when the server sent them (screens do; stored hits do not). */
function matchedIdentifiers(e: Explanation): string {
  const ids = (e.identifiers as Explanation['identifiers'] & { matched_ids?: { type: string; value: string }[] }).matched_ids;
  if (ids?.length) return ids.map((i) => `${i.type} ${i.value}`).join(', ');
  return e.identifiers.matched.join(', ');
}

export function MatchExplanation({ explanation: e, score, match, stacked }: { explanation: Explanation; score: number; match: boolean; stacked?: boolean }) {
  return (
    <div className={stacked ? 'stack' : 'two-col'} data-testid="screen-explanation">
      <div>
        <h3>Token pairs</h3>
        <table className="plain">
          <thead>
            <tr>
              <th>Screened</th>
              <th>List entry</th>
              <th className="num">Similarity</th>
              <th>How</th>
            </tr>
          </thead>
          <tbody>
            {e.token_pairs.map((t, i) => (
              <tr key={i}>
                <td className="mono">{t.a}</td>
                <td className="mono">{t.b}</td>
                <td className="num">{t.similarity.toFixed(3)}</td>
                <td>{t.how}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div>
        <h3>Features</h3>
        <dl className="kv">
          <dt>Name similarity</dt>
          <dd>{e.name_similarity.toFixed(3)}</dd>
          <dt>Phonetic agreement</dt>
          <dd>{pct(e.phonetic_agreement)}</dd>
          <dt>Coverage of the shorter name</dt>
          <dd>{pct(e.coverage_shorter)}</dd>
          <dt>Coverage of both names</dt>
          <dd>{pct(e.coverage_both)}</dd>
          <dt>Joined form</dt>
          <dd>{e.joined_form.toFixed(3)}</dd>
          <dt>Type</dt>
          <dd>
            {e.type.query ?? 'not given'} vs {e.type.entry}: {signed(e.type.adjustment)}
          </dd>
          <dt>Country</dt>
          <dd>
            {e.country.query ?? 'not given'} vs {e.country.entry.join(', ') || 'none'}: {signed(e.country.adjustment)}
          </dd>
          <dt>Identifiers matched</dt>
          <dd data-testid="screen-identifiers-matched">
            {matchedIdentifiers(e) || 'none'}
            {e.identifiers.floor !== null && <span className="muted small"> (score at least {e.identifiers.floor})</span>}
          </dd>
          <dt>Penalties</dt>
          <dd>
            short name {signed(-e.penalties.short_name)}, weak alias {signed(-e.penalties.weak_alias)}
          </dd>
          <dt>Final score</dt>
          <dd>
            <strong>{score.toFixed(3)}</strong> ({match ? 'a match' : 'not a match'})
          </dd>
        </dl>
      </div>
    </div>
  );
}

const signed = (v: number) => (v === 0 ? '0' : `${v > 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`);
