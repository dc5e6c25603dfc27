/**
 * The explanation of one anomaly: the detector's reason sentence (with party references shown as the
 * parties' names, linked), the comparison group drawn with the flagged value marked (price detectors), the
 * evidence as tables and pictures (evidence-view.tsx), the parties behind it, and the analyst's decision.
 *
 * Invariants: the chart draws exactly the group the statistic used: its lines come from
 * GET /api/anomalies/:id/group, which reads them with the detector's own definition (same window, flow,
 * partner and unit), and the caption says which group and how many lines, next to the count the detector
 * recorded; when the two differ (a narrower scope, data changed since the run) the caption says so. The box
 * is the detector's own statistics from the evidence.
 */
import { useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { AnomalyDetail, ComparisonGroup, Decision, RunRecord } from '../api/types.ts';
import { DecisionBar } from '../decisions/decision-bar.tsx';
import { DistributionChart } from '../charts/distribution-chart.tsx';
import { formatInt, formatNumber } from '../format/number-format.ts';
import { useNames } from '../reference/reference-names.tsx';
import { useApi, useSession } from '../session/session.tsx';
import { Link, withQuery } from '../shell/router.tsx';
import { EvidenceView, LinkedText, refMapOf } from './evidence-view.tsx';
import { detectorTitle } from './detector-names.ts';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const PRICE_DETECTORS = new Set(['price-iqr', 'price-robust-z', 'value-per-kg']);

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function linesWhereOf(a: { subject: { declaration_id: string | null; line_no: number | null } }): string | null {
  if (a.subject.declaration_id && a.subject.line_no !== null) return `declaration_id = ${quote(a.subject.declaration_id)} and line_no = ${a.subject.line_no}`;
  if (a.subject.declaration_id) return `declaration_id = ${quote(a.subject.declaration_id)}`;
  return null;
}

export function AnomalyPanel({ id, runs }: { id: string; runs: readonly RunRecord[] }) {
  const api = useApi();
  const [a, setA] = useState<AnomalyDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [group, setGroup] = useState<ComparisonGroup | null | 'none'>(null);
  const [decisions, setDecisions] = useState<Decision[] | null>(null);
  const [decided, setDecided] = useState(0);
  const { can } = useSession();

  // Decisions are optional on a server without the decisions API: a 404 hides the bar.
  useEffect(() => {
    if (!can('anomalies:read')) return;
    let live = true;
    api.decisions({ anomaly: id }).then(
      (d) => live && setDecisions(d),
      () => live && setDecisions(null),
    );
    return () => {
      live = false;
    };
  }, [api, id, decided, can]);

  useEffect(() => {
    const ac = new AbortController();
    setA(null);
    setError(null);
    setGroup(null);
    api.anomaly(id, ac.signal).then(
      (x) => {
        setA(x);
        if (PRICE_DETECTORS.has(x.detector) && num(x.evidence['observed']) !== undefined && (x.evidence['group'] as { level?: string } | undefined)?.level !== 'phantom') {
          api.anomalyGroup(id, ac.signal).then(setGroup, () => !ac.signal.aborted && setGroup('none'));
        } else setGroup('none');
      },
      (e: unknown) => !ac.signal.aborted && setError(e instanceof ApiError ? e.message : 'The anomaly could not be loaded.'),
    );
    return () => ac.abort();
  }, [api, id]);

  const refs = useMemo(() => refMapOf(a?.parties), [a]);

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!a) return <p className="muted pad">Loading anomaly…</p>;
  const ev = a.evidence;
  const observed = num(ev['observed']);
  const run = runs.find((r) => r.run_id === a.run_id);
  const linesWhere = linesWhereOf(a);
  const isPrice = PRICE_DETECTORS.has(a.detector) && observed !== undefined && (ev['group'] as { level?: string } | undefined)?.level !== 'phantom';

  return (
    <article aria-labelledby="anomaly-title" data-testid="anomaly-panel">
      <h2 id="anomaly-title">
        {detectorTitle(a.detector)} <span className="badge">score {a.score.toFixed(1)}</span>{' '}
        <span className="muted small">
          {a.subject.declaration_id ? `declaration ${a.subject.declaration_id}${a.subject.line_no !== null ? `, line ${a.subject.line_no}` : ''}` : `a ${a.subject.kind}`}
        </span>
      </h2>
      <p className="reason" data-testid="anomaly-reason">
        <LinkedText text={a.reason} refs={refs} />
      </p>
      {isPrice && <GroupSection a={a} group={group} observed={observed!} />}
      <div className="chips" style={{ margin: '6px 0' }}>
        {linesWhere && (
          <Link to={withQuery('/explore', { lines_where: linesWhere })} className="badge">
            Open the flagged line{a.subject.line_no === null ? 's' : ''}
          </Link>
        )}
        {run && (
          <span className="badge" title={`Detectors: ${run.detectors.join(', ')}`}>
            Run {run.run_id} · {run.started_at.slice(0, 16)} · by {run.principal}
          </span>
        )}
      </div>
      {a.parties && a.parties.length > 0 && (
        <section aria-labelledby="anomaly-parties-title" data-testid="anomaly-parties">
          <h3 id="anomaly-parties-title">Parties</h3>
          <ul className="chips plain-list">
            {a.parties.map((p) => (
              <li key={p.party_id}>
                <Link to={`/parties/${encodeURIComponent(p.party_id)}`} title={p.rows ? `${p.roles.join(', ')} on ${p.rows} of the anomaly's lines` : 'named in the evidence'}>
                  {p.name ?? p.party_id}
                </Link>{' '}
                <span className="muted small">{p.roles.length ? p.roles.join(', ') : 'in the evidence'}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {decisions && <DecisionBar subject={{ anomaly: a.anomaly_id }} decisions={decisions} onDecided={() => setDecided((n) => n + 1)} />}
      <EvidenceView a={a} refs={refs} />
    </article>
  );
}

/** The comparison group: the chart of its lines with the box of the detector's statistics, and what it is. */
function GroupSection({ a, group, observed }: { a: AnomalyDetail; group: ComparisonGroup | null | 'none'; observed: number }) {
  const ev = a.evidence;
  const g = (ev['group'] ?? {}) as { hs6?: string; flow?: string; partner?: string | null; unit?: string; level?: string };
  const def = group && group !== 'none' ? group.definition : null;
  const hs6 = def?.hs6 ?? g.hs6;
  const partner = def?.partner ?? (g.level === 'hs6 x partner x flow' ? g.partner : null);
  const hsName = useNames('hs6', [hs6]);
  const countryName = useNames('countries', [partner]);
  const currency = String(ev['currency'] ?? 'USD');
  const unit = String(ev['unit'] ?? g.unit ?? 'unit');
  const unitLabel = `${currency} per ${unit.toLowerCase()}`;
  const box = { q1: num(ev['q1']), median: num(ev['median']), q3: num(ev['q3']), lowerFence: num(ev['lower_fence']), upperFence: num(ev['upper_fence']) };
  // Robust z: the prices at ±threshold MADs from the median in log space.
  const bounds =
    a.detector === 'price-robust-z' && num(ev['median_log_price']) !== undefined && num(ev['mad']) !== undefined && num(ev['threshold']) !== undefined
      ? {
          lower: Math.exp(num(ev['median_log_price'])! - num(ev['threshold'])! * 1.4826 * num(ev['mad'])!),
          upper: Math.exp(num(ev['median_log_price'])! + num(ev['threshold'])! * 1.4826 * num(ev['mad'])!),
        }
      : undefined;
  const flow = def?.flow ?? g.flow ?? '';
  const what = `${flow}s of HS ${hs6 ?? '?'}${hsName(hs6) ? ` (${hsName(hs6)})` : ''} ${partner ? `${flow === 'import' ? 'from' : 'to'} ${countryName(partner) ?? partner}` : 'from all partners'}, priced per ${unit.toLowerCase()}`;
  const period = def?.from ? `from ${def.from} to ${def.to}${def.window_months ? ` (the ${def.window_months}-month window of the line's month)` : ''}` : 'over the whole period loaded';
  const nRun = num(ev['n']);
  const loaded = group && group !== 'none';
  return (
    <section aria-labelledby="group-title" data-testid="comparison-group">
      <h3 id="group-title">Comparison group</h3>
      <DistributionChart
        box={box}
        bounds={bounds}
        observed={observed}
        values={loaded ? group.values : undefined}
        unitLabel={unitLabel}
        title={`Prices of the ${loaded ? formatInt(group.n) : (nRun ?? 'several')} lines of the comparison group, with the flagged value ${formatNumber(observed)} ${unitLabel} marked`}
      />
      <p className="small" data-testid="group-caption">
        {loaded ? (
          <>
            The chart draws the {formatInt(group.n)} {what}, {period}: the group the detector compared this line with
            {nRun !== undefined && nRun === group.n ? ` (the ${formatInt(nRun)} of the reason sentence)` : ''}.
            {group.sampled ? ` A sample of ${formatInt(group.values.length)} of them is drawn as dots.` : ' Each dot is one line.'} The box shows the detector&apos;s own quartiles and fences.
            {nRun !== undefined && nRun !== group.n && (
              <strong>
                {' '}
                The detector compared {formatInt(nRun)} lines when it ran; {formatInt(group.n)} are in your scope now (other providers&apos; lines are outside it, or data changed since the run).
              </strong>
            )}{' '}
            <Link to={withQuery('/explore', { by: 'month', measure: 'lines,value,median_unit_price', where: group.where })}>Explore these lines</Link>
          </>
        ) : group === 'none' ? (
          <>The box shows the detector&apos;s quartiles and fences for the {nRun !== undefined ? formatInt(nRun) : ''} {what}, {period}; the lines themselves could not be read.</>
        ) : (
          'Loading the lines of the group…'
        )}
      </p>
    </section>
  );
}
