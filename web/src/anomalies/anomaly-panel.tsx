/**
 * The explanation of one anomaly: the detector's reason sentence, its evidence numbers, and the comparison
 * group drawn with the flagged value marked (price detectors), with links to the lines behind it and to the
 * pages of the parties on those lines (the server lists them only for a caller who may open them).
 *
 * The box plot is the detector's own statistics from the evidence; the histogram is a sample of the same
 * group's lines read through /api/lines (the analyst's scope), priced the way the detector prices them.
 */
import { useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { Anomaly, AnomalyDetail, Decision, RunRecord } from '../api/types.ts';
import { DecisionBar } from '../decisions/decision-bar.tsx';
import { DistributionChart } from '../charts/distribution-chart.tsx';
import { formatValue } from '../format/number-format.ts';
import { useApi, useSession } from '../session/session.tsx';
import { Link, withQuery } from '../shell/router.tsx';
import { flattenEvidence } from './anomaly-filters.ts';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const SAMPLE = 2000;

interface Group {
  hs6?: string;
  flow?: string;
  partner?: string | null;
  unit?: string;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** The where filter selecting the lines of the comparison group (same keys the detector grouped by). */
export function groupWhere(g: Group): string | null {
  if (!g.hs6 || !g.flow) return null;
  const parts = [`hs6 = ${quote(g.hs6)}`, `flow = ${quote(g.flow)}`];
  if (g.partner) parts.push(g.flow === 'import' ? `origin = ${quote(g.partner)}` : `partner = ${quote(g.partner)}`);
  return parts.join(' and ');
}

function priceOf(detector: string, r: Record<string, unknown>, unit: string | undefined): number | null {
  const value = Number(r['value']);
  const qty = Number(r['quantity']);
  const kg = Number(r['net_mass_kg']);
  if (!Number.isFinite(value)) return null;
  if (detector === 'value-per-kg') return kg > 0 ? value / kg : null;
  if (qty > 0) {
    const u = String(r['quantity_unit'] ?? '').trim().toUpperCase() || 'UNIT';
    return unit && u !== unit ? null : value / qty;
  }
  if (kg > 0) return unit && unit !== 'KG' ? null : value / kg;
  return null;
}

export function linesWhereOf(a: Anomaly): string | null {
  if (a.subject.declaration_id && a.subject.line_no !== null) return `declaration_id = ${quote(a.subject.declaration_id)} and line_no = ${a.subject.line_no}`;
  if (a.subject.declaration_id) return `declaration_id = ${quote(a.subject.declaration_id)}`;
  return null;
}

export function AnomalyPanel({ id, runs }: { id: string; runs: readonly RunRecord[] }) {
  const api = useApi();
  const [a, setA] = useState<AnomalyDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sample, setSample] = useState<number[] | undefined>(undefined);
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
    setSample(undefined);
    api.anomaly(id, ac.signal).then(
      (x) => {
        setA(x);
        const g = (x.evidence['group'] ?? null) as Group | null;
        const where = g ? groupWhere(g) : null;
        if (where && num(x.evidence['observed']) !== undefined) {
          api
            .lines({ where, limit: SAMPLE }, ac.signal)
            .then((l) => setSample(l.rows.map((r) => priceOf(x.detector, r, g?.unit?.toUpperCase())).filter((v): v is number => v !== null && v > 0)))
            .catch(() => undefined);
        }
      },
      (e: unknown) => !ac.signal.aborted && setError(e instanceof ApiError ? e.message : 'The anomaly could not be loaded.'),
    );
    return () => ac.abort();
  }, [api, id]);

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!a) return <p className="muted pad">Loading anomaly…</p>;
  const ev = a.evidence;
  const observed = num(ev['observed']);
  const g = (ev['group'] ?? {}) as Group;
  const box = { q1: num(ev['q1']), median: num(ev['median']), q3: num(ev['q3']), lowerFence: num(ev['lower_fence']), upperFence: num(ev['upper_fence']) };
  const hasChart = observed !== undefined && (box.median !== undefined || box.q1 !== undefined);
  const unitLabel = `${String(ev['currency'] ?? 'USD')} per ${String(ev['unit'] ?? g.unit ?? 'unit').toLowerCase()}`;
  const run = runs.find((r) => r.run_id === a.run_id);
  const linesWhere = linesWhereOf(a);
  const groupFilter = groupWhere(g);

  return (
    <article aria-labelledby="anomaly-title" data-testid="anomaly-panel">
      <h2 id="anomaly-title">
        {a.detector} <span className="badge">score {a.score.toFixed(1)}</span>{' '}
        <span className="muted small mono">
          {a.anomaly_id} · {a.subject.kind}
          {a.subject.declaration_id ? ` ${a.subject.declaration_id}` : ''}
          {a.subject.line_no !== null ? `/${a.subject.line_no}` : ''}
        </span>
      </h2>
      <p className="reason" data-testid="anomaly-reason">
        {a.reason}
      </p>
      {hasChart && (
        <section aria-label="Comparison group">
          <h3>Comparison group{g.hs6 ? `: HS ${g.hs6} ${g.flow ?? ''}${g.partner ? ` ${g.flow === 'import' ? 'from' : 'to'} ${g.partner}` : ' (all partners)'}` : ''}</h3>
          <DistributionChart
            box={box}
            observed={observed!}
            sample={sample}
            unitLabel={unitLabel}
            title={`Distribution of ${unitLabel} in the comparison group of ${num(ev['n']) ?? 'several'} lines, with the flagged value ${formatValue(observed)} marked`}
          />
        </section>
      )}
      <div className="chips" style={{ margin: '6px 0' }}>
        {linesWhere && (
          <Link to={withQuery('/explore', { lines_where: linesWhere })} className="badge">
            Open the flagged line
          </Link>
        )}
        {groupFilter && (
          <Link to={withQuery('/explore', { by: 'origin,month', measure: 'value,lines,median_unit_price', where: groupFilter })} className="badge">
            Explore the comparison group
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
                <Link to={`/parties/${encodeURIComponent(p.party_id)}`} title={`${p.roles.join(', ')} on ${p.rows} of the anomaly's rows`}>
                  {p.name ?? p.party_id}
                </Link>{' '}
                <span className="muted small">{p.roles.join(', ')}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {decisions && <DecisionBar subject={{ anomaly: a.anomaly_id }} decisions={decisions} onDecided={() => setDecided((n) => n + 1)} />}
      <h3>Evidence</h3>
      <dl className="kv" data-testid="anomaly-evidence">
        {flattenEvidence(ev).map(([k, v]) => (
          <div key={k} style={{ display: 'contents' }}>
            <dt>{k}</dt>
            <dd>{formatValue(v)}</dd>
          </div>
        ))}
        <dt>detector version</dt>
        <dd>{a.detector_version}</dd>
        <dt>provider</dt>
        <dd>{a.provider}</dd>
        <dt>lines behind it</dt>
        <dd>{a.row_ids.length}</dd>
      </dl>
    </article>
  );
}
