/**
 * Dashboards: nation → field office → port, from /api/measures/query. Headline numbers of the latest
 * complete month with their change, the monthly series, the top members, a heat table of members by
 * month and one of products by partners for the latest year (product-partner-heat.tsx); selecting a member
 * drills one level down (the path is in the URL).
 *
 * Invariants: headline figures and changes are the server's (no by, period=month), so suppression and
 * incomplete-period rules apply exactly as in reports; incomplete months are marked, never compared.
 * Suppressed cells (aggregate-level scopes) show as "suppressed", not as zero.
 */
import { ScrollBox } from '../table/scroll-box.tsx';
import { useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { MeasuresResult } from '../api/types.ts';
import { BarListChart } from '../charts/bar-list-chart.tsx';
import { TimeSeriesChart } from '../charts/time-series-chart.tsx';
import { formatChange, formatInt, formatValue } from '../format/number-format.ts';
import { CompactNumber } from '../format/compact-number.tsx';
import { DIMENSION_KIND, useNames, withName } from '../reference/reference-names.tsx';
import { EmptyState, noDataHint } from '../shell/empty-state.tsx';
import { useSession } from '../session/session.tsx';
import { Link, useRouter, withQuery } from '../shell/router.tsx';
import { HeatCell } from './heat-cell.tsx';
import { ProductPartnerHeat } from './product-partner-heat.tsx';

const LEVELS = [
  { id: 'nation', label: 'Nation' },
  { id: 'field_office', label: 'Field office' },
  { id: 'port', label: 'Port' },
] as const;
const MEASURES = ['import-value', 'export-value', 'lines', 'duty-collected', 'seizures'];

type Cell = Record<string, string | number | boolean | null>;

function quote(s: string) {
  return `'${s.replace(/'/g, "''")}'`;
}

export function DashboardPage() {
  const session = useSession();
  const { api } = session;
  const { location } = useRouter();
  const path = LEVELS.map((l) => location.query.get(l.id)).filter((v): v is string => v !== null).slice(0, LEVELS.length - 1);
  const level = LEVELS[path.length]!;
  const where = path.map((v, i) => `${LEVELS[i]!.id} = ${quote(v)}`).join(' and ');
  const [measure, setMeasure] = useState('import-value');
  const [totals, setTotals] = useState<MeasuresResult | null>(null);
  const [byMember, setByMember] = useState<MeasuresResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    setTotals(null);
    setByMember(null);
    const m = MEASURES.join(',');
    Promise.all([
      api.measuresQuery({ measure: m, where: where || undefined, period: 'month' }, ac.signal),
      api.measuresQuery({ measure: m, by: level.id, where: where || undefined, period: 'month' }, ac.signal),
    ]).then(
      ([t, b]) => {
        setTotals(t);
        setByMember(b);
        requestAnimationFrame(() => performance.mark('dashboard-interactive'));
      },
      (e: unknown) => !ac.signal.aborted && setError(e instanceof ApiError ? e.message : 'The dashboard could not be loaded.'),
    );
    return () => ac.abort();
  }, [api, where, level.id]);

  const info = totals?.measures.find((m) => m.id === measure);
  const nationName = useNames('countries', path.slice(0, 1));
  const periods = useMemo(() => [...new Set((totals?.rows ?? []).map((r) => String(r['period'])))].sort(), [totals]);
  const complete = (totals?.rows ?? []).filter((r) => r['incomplete'] !== true).sort((a, b) => String(a['period']).localeCompare(String(b['period'])));
  const latest = complete[complete.length - 1];
  const changeKey = totals?.changes.find((c) => c.endsWith('mom')) ? 'mom' : 'yoy';

  const heat = useMemo(() => {
    if (!byMember) return null;
    const last = periods.slice(-12);
    const members = new Map<string, Map<string, Cell>>();
    for (const r of byMember.rows) {
      const k = String(r[level.id] ?? '(none)');
      if (!members.has(k)) members.set(k, new Map());
      members.get(k)!.set(String(r['period']), r);
    }
    const totalOf = (m: Map<string, Cell>) => last.reduce((s, p) => s + (typeof m.get(p)?.[measure] === 'number' ? (m.get(p)![measure] as number) : 0), 0);
    const ranked = [...members.entries()].map(([k, m]) => ({ k, m, total: totalOf(m) })).sort((a, b) => b.total - a.total);
    let max = 0;
    for (const { m } of ranked) for (const p of last) if (typeof m.get(p)?.[measure] === 'number') max = Math.max(max, m.get(p)![measure] as number);
    return { last, ranked, max };
  }, [byMember, periods, level.id, measure]);

  const latestPeriod = latest ? String(latest['period']) : null;
  const memberKind = DIMENSION_KIND[level.id];
  const memberName = useNames(memberKind, (heat?.ranked ?? []).map((r) => r.k));
  const label = (k: string) => withName(k, memberName(k));
  // Members with a figure in the latest complete month; suppressed or absent members are not ranked as zero.
  const top = (heat?.ranked ?? [])
    .filter(({ m }) => latestPeriod !== null && typeof m.get(latestPeriod)?.[measure] === 'number')
    .map(({ k, m }) => ({ label: label(k), value: m.get(latestPeriod!)![measure] as number }))
    .sort((a, b) => b.value - a.value)
    .slice(0, 10);
  const noData = totals !== null && totals.rows.length === 0;
  const incomplete = useMemo(() => new Set((totals?.rows ?? []).filter((r) => r['incomplete'] === true).map((r) => String(r['period']).slice(0, 7))), [totals]);

  const drillTo = (member: string) => {
    if (path.length >= LEVELS.length - 1) return null;
    const q: Record<string, string> = {};
    path.forEach((v, i) => (q[LEVELS[i]!.id] = v));
    q[level.id] = member;
    return withQuery('/dashboards', q);
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Dashboards</h1>
        <nav className="breadcrumb" aria-label="Drill-down path">
          <Link to="/dashboards">All nations</Link>
          {path.map((v, i) => {
            const q: Record<string, string> = {};
            for (let j = 0; j <= i; j++) q[LEVELS[j]!.id] = path[j]!;
            return (
              <span key={i}>
                › <Link to={withQuery('/dashboards', q)}>{i === 0 ? withName(v, nationName(v)) : v}</Link>
              </span>
            );
          })}
          <span className="muted">› by {level.label.toLowerCase()}</span>
        </nav>
        <label style={{ marginLeft: 'auto' }}>
          Measure
          <select value={measure} onChange={(e) => setMeasure(e.target.value)}>
            {(totals?.measures ?? MEASURES.map((id) => ({ id, name: id }))).map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!totals && !error && <p className="muted">Loading…</p>}
      {noData && (
        <EmptyState testId="dashboard-empty" title={where ? 'No trade here in your scope' : 'No trade data in your scope yet'}>
          {where
            ? 'Nothing loaded that you may read falls under this place. Go back to all nations, or choose another member.'
            : noDataHint(session.state.status === 'signed-in' ? session.state.session.user.provider : null, 'Trade')}
        </EmptyState>
      )}
      {totals && !noData && (
        <section aria-label="Headline figures" className="headlines" data-testid="headlines">
          {totals.measures.map((m) => {
            const v = latest?.[m.id];
            const ch = latest?.[`${m.id}_${changeKey}`];
            const yoy = latest?.[`${m.id}_yoy`];
            return (
              <div key={m.id} className="headline">
                <div className="label">
                  {m.name}
                  {m.unit === 'USD' ? ' (USD)' : ''} · {latestPeriod ?? 'no complete month'}
                </div>
                <div className="value">{v === null && latest ? 'suppressed' : typeof v === 'number' ? <CompactNumber value={v} unit={m.unit} /> : formatValue(null)}</div>
                <div className="change">
                  <Change v={ch} label={changeKey === 'mom' ? 'vs previous month' : 'vs a year before'} />
                  {changeKey !== 'yoy' && (
                    <>
                      {' · '}
                      <Change v={yoy} label="year on year" />
                    </>
                  )}
                </div>
                {m.without_rate && Number(latest?.[m.without_rate] ?? 0) > 0 && (
                  <div className="muted small" data-testid="left-out">
                    {formatInt(Number(latest![m.without_rate]))} lines without an exchange rate left out
                  </div>
                )}
              </div>
            );
          })}
        </section>
      )}
      {totals && info && !noData && (
        <div className="two-col">
          <section className="panel" aria-labelledby="ts-title">
            <div className="panel-head">
              <h2 id="ts-title">
                {info.name} by month{info.unit === 'USD' ? ' (USD)' : ''}
              </h2>
              {totals.rows.some((r) => r['incomplete'] === true) && <span className="muted small">months with incomplete data are included; they are not compared</span>}
              {info.without_rate && Number(totals.totals[info.without_rate] ?? 0) > 0 && (
                <span className="muted small">{formatInt(Number(totals.totals[info.without_rate]))} lines without an exchange rate are left out</span>
              )}
            </div>
            <div className="panel-body">
              <TimeSeriesChart
                series={[{ name: info.name, values: new Map(periods.map((p) => [p.slice(0, 7), ((v) => (typeof v === 'number' ? v : null))(totals.rows.find((r) => String(r['period']) === p)?.[measure])])) }]}
                grain="month"
                incomplete={incomplete}
                title={`${info.name} by month`}
                unit={info.unit}
              />
            </div>
          </section>
          <section className="panel" aria-labelledby="top-title">
            <div className="panel-head">
              <h2 id="top-title">{top.length ? `Top ${top.length} ${level.label.toLowerCase()}${top.length === 1 ? '' : 's'}, ${latestPeriod}` : `Top ${level.label.toLowerCase()}s`}</h2>
            </div>
            <div className="panel-body">
              {top.length ? (
                <BarListChart bars={top} title={`Top ${level.label.toLowerCase()}s by ${info.name}, ${latestPeriod}`} unit={info.unit} />
              ) : (
                <p className="muted" data-testid="top-empty">
                  {latestPeriod ? `No ${level.label.toLowerCase()} has a figure you may see for ${latestPeriod}${byMember && byMember.suppressed_cells > 0 ? ' (small cells are suppressed)' : ''}.` : 'No complete month in the loaded data yet: the ranking appears once a month is complete.'}
                </p>
              )}
            </div>
          </section>
        </div>
      )}
      {heat && info && heat.ranked.length > 0 && (
        <section className="panel" aria-labelledby="heat-title">
          <div className="panel-head">
            <h2 id="heat-title">
              {info.name} by {level.label.toLowerCase()} and month
            </h2>
            {path.length < LEVELS.length - 1 && <span className="muted small">select a {level.label.toLowerCase()} to drill down</span>}
            {byMember && byMember.suppressed_cells > 0 && <span className="muted small">{byMember.suppressed_cells} small cells suppressed</span>}
            {byMember?.perturbation && <span className="muted small">values slightly perturbed to protect single records</span>}
          </div>
          <ScrollBox label="Members by month" style={{ maxHeight: 420 }}>
            <table className="heat" data-testid="heat-table">
              <thead>
                <tr>
                  <th className="rowhead" scope="col">
                    {level.label}
                  </th>
                  {heat.last.map((p) => (
                    <th key={p} scope="col">
                      {p.slice(0, 7)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {heat.ranked.map(({ k, m }) => {
                  const to = drillTo(k);
                  return (
                    <tr key={k}>
                      <th className="rowhead" scope="row">
                        {to ? <Link to={to}>{label(k)}</Link> : label(k)}
                      </th>
                      {heat.last.map((p) => (
                        <HeatCell key={p} label={`${k} ${p.slice(0, 7)}`} value={m.has(p) ? m.get(p)![measure] : undefined} max={heat.max} />
                      ))}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </ScrollBox>
        </section>
      )}
      {info && latestPeriod && !noData && <ProductPartnerHeat measure={measure} measureName={info.name} where={where} year={latestPeriod.slice(0, 4)} />}
    </div>
  );
}

function Change({ v, label }: { v: unknown; label: string }) {
  if (typeof v !== 'number') return <span className="muted">{label}: –</span>;
  return (
    <span className={v > 0 ? 'up' : v < 0 ? 'down' : ''}>
      {formatChange(v)} <span className="muted">{label}</span>
    </span>
  );
}
