/**
 * An anomaly's evidence as a person reads it: labelled rows (never dotted keys), numbers formatted by what
 * they are (money to the cent with its currency, prices per unit, shares as percentages, p-values as
 * "< 1e-10"), party references as the parties' names linking to their pages, nested evidence as small tables
 * and pictures (a circular-trade ring as a graph, Benford's digits and a surge's months as charts, a
 * watch-list hit's token pairs as the screening page shows them).
 *
 * Invariants:
 * - Nothing is dropped silently: a key without a label of its own is shown with its name in words, an
 *   object as a nested table, an array of objects as a table; only internal ids that have their own links
 *   (row ids, hit ids) are left out, and the count of lines behind the anomaly is shown instead.
 * - A party reference is linked only when the server resolved it for this caller (AnomalyDetail.parties),
 *   so a name is never shown to someone who may not open the party.
 */
import { ScrollBox } from '../table/scroll-box.tsx';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { AnomalyDetail, AnomalyParty, Explanation } from '../api/types.ts';
import { formatInt, formatMoney, formatNumber, formatP, formatPercent } from '../format/number-format.ts';
import { useNames, withName, type RefKind } from '../reference/reference-names.tsx';
import { Link } from '../shell/router.tsx';
import { MatchExplanation } from '../screening/match-explanation.tsx';
import { ColumnChart } from '../charts/column-chart.tsx';
import { BarListChart } from '../charts/bar-list-chart.tsx';
import { RingGraph, type RingLeg } from './ring-graph.tsx';

/** Party references of one anomaly: source reference (IMP005037) to the party it resolved to. */
export type RefMap = ReadonlyMap<string, AnomalyParty>;
const RefContext = createContext<RefMap>(new Map());

export function refMapOf(parties: readonly AnomalyParty[] | undefined): RefMap {
  const m = new Map<string, AnomalyParty>();
  for (const p of parties ?? []) {
    for (const r of p.refs ?? []) m.set(r, p);
    // Reasons of watch-list hits name the party by its id: shown by name too.
    m.set(p.party_id, p);
  }
  return m;
}

/** A party reference as its party's name, linked to its page; the reference alone when not resolved. */
export function PartyRef({ refId }: { refId: string }) {
  const p = useContext(RefContext).get(refId);
  if (!p) return <span className="mono">{refId}</span>;
  return (
    <Link to={`/parties/${encodeURIComponent(p.party_id)}`} title={`source reference ${refId}`}>
      {p.name ?? p.party_id}
    </Link>
  );
}

/** Text with every resolved party reference replaced by the party's linked name (reason sentences). */
export function LinkedText({ text, refs }: { text: string; refs: RefMap }) {
  const parts = useMemo(() => {
    const keys = [...refs.keys()].filter((k) => k.length >= 3).sort((a, b) => b.length - a.length);
    if (!keys.length) return [text];
    const re = new RegExp(`\\b(${keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`, 'g');
    return text.split(re);
  }, [text, refs]);
  return (
    <RefContext.Provider value={refs}>
      {parts.map((s, i) => (i % 2 === 1 ? <PartyRef key={i} refId={s} /> : <span key={i}>{s}</span>))}
    </RefContext.Provider>
  );
}

type Kind = 'price' | 'money' | 'percent' | 'times' | 'count' | 'p' | 'ref' | 'refs' | 'plain' | 'chapters' | 'country' | 'hs6' | 'hs4';

/** Label and kind of each evidence key; a detector may read a key differently (surge: median is money). */
const KEYS: Record<string, [string, Kind]> = {
  n: ['Lines in the group', 'count'],
  q1: ['First quartile (Q1)', 'price'],
  median: ['Median', 'price'],
  q3: ['Third quartile (Q3)', 'price'],
  iqr: ['Inter-quartile range', 'price'],
  k: ['Fence multiplier (k × IQR)', 'plain'],
  lower_fence: ['Lower fence', 'price'],
  upper_fence: ['Upper fence', 'price'],
  observed: ['Flagged value', 'price'],
  deviation: ['Beyond the fence by', 'price'],
  deviation_iqr: ['Beyond the fence, in IQRs', 'plain'],
  ratio_to_median: ['Times the median', 'times'],
  direction: ['Direction of value', 'plain'],
  quantity: ['Quantity of the line', 'plain'],
  value_at_risk: ['Value at risk', 'money'],
  median_log_price: ['Median of log price', 'plain'],
  mad: ['Median absolute deviation', 'plain'],
  threshold: ['Threshold', 'plain'],
  z: ['Robust z', 'plain'],
  normal_bound: ['Normal bound', 'price'],
  reporter: ['Reporting country', 'country'],
  hs6: ['HS subheading', 'hs6'],
  hs4: ['HS heading', 'hs4'],
  origin: ['Origin', 'country'],
  departure: ['Departure', 'country'],
  entrepot: ['Via an entrepôt or free-trade zone', 'plain'],
  route_count: ['Lines on this route', 'count'],
  hs6_total: ['Lines of the subheading', 'count'],
  share: ['Share of the lines', 'percent'],
  max_share: ['Rare below', 'percent'],
  hs6_median_value: ['Median line value of the subheading', 'money'],
  observed_value: ['Value of the line', 'money'],
  party: ['Party', 'ref'],
  role: ['Role', 'plain'],
  flow: ['Flow', 'plain'],
  chapter: ['HS chapter', 'plain'],
  profile_chapters: ['Chapters of its first months', 'chapters'],
  profile_months: ['Profile months', 'count'],
  profile_end: ['Profile ends', 'plain'],
  profile_lines: ['Lines in the profile', 'count'],
  party_lines: ["Party's lines", 'count'],
  party_median_value: ["Party's median line value", 'money'],
  first_in_chapter: ['First line in the chapter', 'plain'],
  chi2: ['Chi-square', 'plain'],
  df: ['Degrees of freedom', 'count'],
  p: ['p-value', 'p'],
  alpha: ['Significance level', 'plain'],
  min_mad: ['Flagged above a mean absolute deviation of', 'plain'],
  min_n: ['Smallest number of values judged', 'count'],
  payment_id: ['Payment', 'plain'],
  paid: ['Paid', 'money'],
  invoiced: ['Invoiced (declared value)', 'money'],
  ratio: ['Paid / invoiced', 'times'],
  min_ratio: ['Expected at least', 'times'],
  max_ratio: ['Expected at most', 'times'],
  payer_country: ['Payer country', 'country'],
  payee_country: ['Payee country', 'country'],
  declaration_countries: ['Countries of the declarations', 'country'],
  instrument: ['Instrument', 'plain'],
  declaration_ids: ['Declarations', 'plain'],
  link: ['Linked by', 'plain'],
  amount_mismatch: ['Amount outside the expected range', 'plain'],
  payer_third_country: ['Payer in a third country', 'plain'],
  payee_third_country: ['Payee in a third country', 'plain'],
  cash: ['Settled in cash', 'plain'],
  parties: ['Parties of the ring', 'refs'],
  cycle_length: ['Parties in the ring', 'count'],
  leg: ['Leg of this line', 'count'],
  span_days: ['Days from first to last leg', 'count'],
  window_months: ['Window (months)', 'count'],
  m: ['Imports reported', 'money'],
  import_basis: ['Import valuation', 'plain'],
  f: ['CIF/FOB factor', 'plain'],
  m_over_f: ['Imports at FOB', 'money'],
  x: ['Exports reported by the partner', 'money'],
  gap: ['Gap', 'percent'],
  abs_gap: ['Gap in value', 'money'],
  orphan: ['One side missing', 'plain'],
  missing_side: ['Missing side', 'plain'],
  min_gap: ['Flagged from a gap of', 'percent'],
  min_abs: ['and a value gap of', 'money'],
  history_periods: ['Periods of history', 'count'],
  history_z: ['z against its history', 'plain'],
  kind: ['Kind', 'plain'],
  quantity_m: ['Quantity imported', 'plain'],
  quantity_x: ['Quantity exported', 'plain'],
  quantity_gap: ['Quantity gap', 'percent'],
  abs_quantity_gap: ['Quantity gap (absolute)', 'plain'],
  month: ['Month', 'plain'],
  value: ['Value', 'money'],
  lines: ['Lines', 'count'],
  history_months: ['Months of history', 'count'],
  mad_k: ['MAD multiplier', 'plain'],
  z_mad: ['z (in MADs)', 'plain'],
  party_name: ['Party name', 'plain'],
  list: ['Watch list', 'plain'],
  list_version: ['List version', 'plain'],
  entry_id: ['List entry', 'plain'],
  entry_type: ['Entry type', 'plain'],
  entry_name: ['Entry name', 'plain'],
  matched_name: ['Matched name', 'plain'],
  weak_alias: ['Weak alias', 'plain'],
  match_score: ['Match score', 'plain'],
  model: ['Model', 'plain'],
  label: ['Label predicted', 'plain'],
  trained_on: ['Trained on', 'plain'],
  training_batches: ['Training batches', 'plain'],
  base_rate: ['Training base rate', 'percent'],
  probability: ['Predicted probability', 'percent'],
  lift: ['Times the base rate', 'times'],
};

/** Keys shown elsewhere (their own picture or link) or internal ids. */
const HIDDEN = new Set(['row_ids', 'import_row_ids', 'export_row_ids', 'hit_id', 'party_id', 'row_ids_listed', 'row_ids_truncated', 'explanation', 'legs', 'history', 'group', 'window', 'pair', 'counts', 'expected', 'currency', 'unit']);
/** Money keys of party-level detectors whose statistics are values, not prices. */
const MONEY_DETECTORS = new Set(['party-surge']);

const words = (k: string) => k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

interface Ctx {
  currency: string;
  unit: string;
  detector: string;
}

function Value({ k, v, ctx }: { k: string; v: unknown; ctx: Ctx }): ReactNode {
  const kind: Kind = MONEY_DETECTORS.has(ctx.detector) && (k === 'median' || k === 'mad' || k === 'threshold') ? 'money' : (KEYS[k]?.[1] ?? 'plain');
  if (v === null || v === undefined) return '–';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (kind === 'ref' && typeof v === 'string') return <PartyRef refId={v} />;
  if (kind === 'refs' && Array.isArray(v))
    return (
      <>
        {v.map((r, i) => (
          <span key={i}>
            {i > 0 && ', '}
            <PartyRef refId={String(r)} />
          </span>
        ))}
      </>
    );
  if (kind === 'chapters' && Array.isArray(v)) return <Chapters codes={v.map(String)} />;
  if ((kind === 'country' || kind === 'hs6' || kind === 'hs4') && (typeof v === 'string' || Array.isArray(v))) return <Named kind={kind === 'country' ? 'countries' : kind} codes={(Array.isArray(v) ? v : [v]).map(String)} />;
  if (typeof v === 'number') {
    if (kind === 'price') return `${formatNumber(v)} ${ctx.currency}/${ctx.unit.toLowerCase()}`;
    if (kind === 'money') return formatMoney(v, ctx.currency);
    if (kind === 'percent') return formatPercent(v);
    if (kind === 'times') return `${formatNumber(v)}×`;
    if (kind === 'count') return formatInt(v);
    if (kind === 'p') return formatP(v);
    return formatNumber(v);
  }
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) return v.map((x) => (typeof x === 'number' ? formatNumber(x) : String(x))).join(', ') || '–';
    return <ObjectTable rows={v as Record<string, unknown>[]} ctx={ctx} />;
  }
  if (typeof v === 'object') return <KeyValues evidence={v as Record<string, unknown>} ctx={ctx} nested />;
  return String(v);
}

function Named({ kind, codes }: { kind: RefKind; codes: string[] }) {
  const name = useNames(kind, codes);
  return <>{codes.map((c) => withName(c, name(c))).join('; ')}</>;
}

function Chapters({ codes }: { codes: string[] }) {
  const name = useNames('hs2', codes);
  return <>{codes.map((c) => (name(c) ? `${c} ${name(c)}` : c)).join('; ')}</>;
}

function ObjectTable({ rows, ctx }: { rows: Record<string, unknown>[]; ctx: Ctx }) {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => !HIDDEN.has(c) && c !== 'row_id');
  return (
    <ScrollBox label="Evidence table">
    <table className="plain evidence-table">
      <thead>
        <tr>
          {cols.map((c) => (
            <th key={c} scope="col">
              {KEYS[c]?.[0] ?? words(c)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            {cols.map((c) => (
              <td key={c}>
                <Value k={c} v={r[c]} ctx={ctx} />
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
    </ScrollBox>
  );
}

function KeyValues({ evidence, ctx, nested, extra = [] }: { evidence: Record<string, unknown>; ctx: Ctx; nested?: boolean; extra?: readonly (readonly [string, ReactNode])[] }) {
  const entries = Object.entries(evidence).filter(([k]) => !HIDDEN.has(k));
  if (!entries.length && !extra.length) return null;
  return (
    <dl className={nested ? 'kv nested' : 'kv'}>
      {entries.map(([k, v]) => (
        <div key={k} className="kv-row">
          <dt>{KEYS[k]?.[0] ?? words(k)}</dt>
          <dd>
            <Value k={k} v={v} ctx={ctx} />
          </dd>
        </div>
      ))}
      {extra.map(([label, v]) => (
        <div key={label} className="kv-row">
          <dt>{label}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The detector-specific pictures and tables of an anomaly's evidence, then every remaining figure. */
export function EvidenceView({ a, refs }: { a: AnomalyDetail; refs: RefMap }) {
  const ev = a.evidence;
  const ctx: Ctx = { currency: String(ev['currency'] ?? 'USD'), unit: String(ev['unit'] ?? (ev['group'] as Record<string, unknown> | undefined)?.['unit'] ?? 'unit'), detector: a.detector };
  const legs = Array.isArray(ev['legs']) ? (ev['legs'] as Record<string, unknown>[]) : null;
  const window = ev['window'] as { from?: string; to?: string; months?: number } | undefined;
  const pair = ev['pair'] as Record<string, unknown> | undefined;
  return (
    <RefContext.Provider value={refs}>
      <div className="evidence" data-testid="anomaly-evidence">
        {legs && legs.length > 0 && <RingSection legs={legs} leg={num(ev['leg']) ?? 0} currency={ctx.currency} />}
        {a.detector === 'benford' && Array.isArray(ev['observed']) && Array.isArray(ev['expected']) && <BenfordSection ev={ev} />}
        {a.detector === 'party-surge' && Array.isArray(ev['history']) && <SurgeSection ev={ev} currency={ctx.currency} />}
        {pair && <MirrorSection ev={ev} pair={pair} currency={ctx.currency} />}
        {ev['explanation'] !== null && typeof ev['explanation'] === 'object' && (
          <section aria-label="How the names matched">
            <h3>How the names matched</h3>
            <MatchExplanation explanation={ev['explanation'] as Explanation} score={num(ev['match_score']) ?? a.score / 100} match stacked />
          </section>
        )}
        <h3>Figures</h3>
        <KeyValues
          evidence={a.detector === 'benford' ? Object.fromEntries(Object.entries(ev).filter(([k]) => k !== 'observed')) : ev}
          ctx={ctx}
          extra={[
            ...(window?.from ? [['Comparison window', `${window.from} to ${window.to}${window.months ? ` (${window.months} months)` : ''}`] as const] : []),
            ['Lines behind it', formatInt(a.row_ids.length)] as const,
            ['Data provider', a.provider] as const,
            ['Detector version', `${a.detector} ${a.detector_version}`] as const,
          ]}
        />
      </div>
    </RefContext.Provider>
  );
}

function RingSection({ legs, leg, currency }: { legs: Record<string, unknown>[]; leg: number; currency: string }) {
  const refs = useContext(RefContext);
  const ring: RingLeg[] = legs.map((l) => ({ exporter: String(l['exporter']), importer: String(l['importer']), date: String(l['date'] ?? ''), value: num(l['value']) ?? 0 }));
  const nameOf = useMemo(() => (r: string) => refs.get(r)?.name ?? r, [refs]);
  return (
    <section aria-labelledby="ring-title">
      <h3 id="ring-title">The ring</h3>
      <RingGraph legs={ring} flaggedLeg={leg} nameOf={nameOf} currency={currency} />
      <ScrollBox label="First digits">
      <table className="plain evidence-table" data-testid="ring-legs">
        <thead>
          <tr>
            <th scope="col">Leg</th>
            <th scope="col">Date</th>
            <th scope="col">From (exporter)</th>
            <th scope="col">To (importer)</th>
            <th scope="col">Flow</th>
            <th scope="col" className="num">
              Value
            </th>
          </tr>
        </thead>
        <tbody>
          {legs.map((l, i) => (
            <tr key={i} className={i + 1 === leg ? 'flagged-row' : undefined}>
              <td>
                {i + 1}
                {i + 1 === leg ? ' (this line)' : ''}
              </td>
              <td className="nowrap">{String(l['date'] ?? '')}</td>
              <td>
                <PartyRef refId={String(l['exporter'])} />
              </td>
              <td>
                <PartyRef refId={String(l['importer'])} />
              </td>
              <td>{String(l['flow'] ?? '')}</td>
              <td className="num">{formatMoney(num(l['value']), currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </ScrollBox>
    </section>
  );
}

function BenfordSection({ ev }: { ev: Record<string, unknown> }) {
  const observed = (ev['observed'] as number[]).map(Number);
  const expected = (ev['expected'] as number[]).map(Number);
  const counts = Array.isArray(ev['counts']) ? (ev['counts'] as number[]).map(Number) : null;
  const digits = observed.map((_, i) => String(i + 1));
  const pct = (v: number) => formatPercent(v);
  return (
    <section aria-labelledby="benford-title">
      <h3 id="benford-title">First digits against Benford&apos;s law</h3>
      <ColumnChart categories={digits} values={observed} expected={{ name: "Benford's law", values: expected }} valueName="share of values" title={`Share of values by first digit, ${formatInt(num(ev['n']) ?? 0)} values, against Benford's expected shares`} format={pct} testId="benford-chart" />
      <ScrollBox label="Legs of the ring">
      <table className="plain evidence-table">
        <thead>
          <tr>
            <th scope="col">First digit</th>
            {digits.map((d) => (
              <th key={d} scope="col" className="num">
                {d}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {counts && (
            <tr>
              <th scope="row">Values</th>
              {counts.map((c, i) => (
                <td key={i} className="num">
                  {formatInt(c)}
                </td>
              ))}
            </tr>
          )}
          <tr>
            <th scope="row">Share</th>
            {observed.map((v, i) => (
              <td key={i} className="num">
                {pct(v)}
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">Expected</th>
            {expected.map((v, i) => (
              <td key={i} className="num">
                {pct(v)}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      </ScrollBox>
    </section>
  );
}

function SurgeSection({ ev, currency }: { ev: Record<string, unknown>; currency: string }) {
  const history = (ev['history'] as number[]).map(Number);
  const value = num(ev['value']) ?? 0;
  const cats = [...history.map((_, i) => `prior ${history.length - i}`), String(ev['month'] ?? 'flagged')];
  const money = (v: number) => formatMoney(v, currency);
  return (
    <section aria-labelledby="surge-title">
      <h3 id="surge-title">The flagged month against the party&apos;s months before it</h3>
      <ColumnChart
        categories={cats}
        values={[...history, value]}
        flagged={history.length}
        marks={[
          ...(num(ev['median']) !== undefined ? [{ name: 'median', value: num(ev['median'])! }] : []),
          ...(num(ev['threshold']) !== undefined ? [{ name: 'threshold', value: num(ev['threshold'])! }] : []),
        ]}
        valueName="value"
        title={`Value per month: ${history.length} prior months with trade and the flagged month ${String(ev['month'] ?? '')}`}
        format={money}
        testId="surge-chart"
      />
    </section>
  );
}

function MirrorSection({ ev, pair, currency }: { ev: Record<string, unknown>; pair: Record<string, unknown>; currency: string }) {
  const importer = String(pair['importer'] ?? '');
  const exporter = String(pair['exporter'] ?? '');
  const bars = [
    ...(num(ev['m_over_f']) !== undefined ? [{ label: `${importer} reports imports (at FOB)`, value: num(ev['m_over_f'])! }] : []),
    ...(num(ev['x']) !== undefined ? [{ label: `${exporter} reports exports`, value: num(ev['x'])! }] : []),
  ];
  return (
    <section aria-labelledby="mirror-title">
      <h3 id="mirror-title">
        The same trade seen from both sides: HS {String(pair['hs'] ?? '')}, {String(pair['period'] ?? '')}
      </h3>
      {bars.length > 0 && <BarListChart bars={bars} title={`Imports reported by ${importer} and exports reported by ${exporter}`} unit="USD" testId="mirror-chart" />}
      <p className="muted small">Values in {currency}; the importer&apos;s CIF value is divided by the CIF/FOB factor before comparing.</p>
    </section>
  );
}
