/**
 * Drill-down: the lines behind a cell (or behind a filter, e.g. one anomaly's line), paged from /api/lines
 * and shown in the virtualised grid for people: labelled columns in reading order, internals (row ids,
 * batch, source file line, source ids) hidden unless asked for, each line linked to its anomalies of the
 * latest run and its parties' pages, HS codes and ports with their names.
 *
 * Invariants: only row-level scopes reach it (the API refuses others). Links come from GET /api/lines/links
 * for the rows loaded, so a line links only to anomalies and parties the user may open; the export is the
 * server's CSV of the same lines (every column, machine names).
 */
import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { ApiError } from '../api/client.ts';
import type { LineLinks, LinesResult } from '../api/types.ts';
import { formatInt, formatValue } from '../format/number-format.ts';
import { useNames } from '../reference/reference-names.tsx';
import { useSession } from '../session/session.tsx';
import { Link, useRouter } from '../shell/router.tsx';
import { VirtualTable, type VtColumn } from '../table/virtual-table.tsx';
import { ExportButton } from '../export/export-button.tsx';
import { detectorTitle } from '../anomalies/detector-names.ts';

type Line = Record<string, unknown>;

/** Column labels in reading order; fields not listed are shown after these, with their names in words. */
const LABELS: readonly (readonly [string, string, number])[] = [
  ['declaration_id', 'Declaration', 140],
  ['line_no', 'Line', 56],
  ['payment_id', 'Payment', 140],
  ['event_id', 'Event', 120],
  ['event_type', 'Event type', 110],
  ['date', 'Date', 100],
  ['flow', 'Flow', 70],
  ['importer_name', 'Importer', 210],
  ['exporter_name', 'Exporter', 210],
  ['payer_name', 'Payer', 200],
  ['payee_name', 'Payee', 200],
  ['hs_code', 'HS code', 230],
  ['description', 'Description', 200],
  ['value', 'Value', 120],
  ['amount', 'Amount', 120],
  ['value_usd', 'Value (USD)', 120],
  ['amount_usd', 'Amount (USD)', 120],
  ['unit_price_usd', 'Unit price (USD)', 120],
  ['fx_rate', 'Rate per USD', 100],
  ['penalty_amount', 'Penalty', 110],
  ['currency', 'Currency', 80],
  ['quantity', 'Quantity', 100],
  ['quantity_unit', 'Unit', 60],
  ['net_mass_kg', 'Net mass (kg)', 110],
  ['origin_country', 'Origin', 70],
  ['departure_country', 'Departure', 80],
  ['destination_country', 'Destination', 90],
  ['payer_country', 'Payer country', 100],
  ['payee_country', 'Payee country', 100],
  ['reporter', 'Reporter', 80],
  ['port_code', 'Port', 170],
  ['transport_mode', 'Mode', 70],
  ['manufacturer_name', 'Manufacturer', 180],
  ['declarant_id', 'Declarant', 100],
  ['valuation_basis', 'Valuation', 80],
  ['invoice_ref', 'Invoice', 110],
  ['duty_amount', 'Duty', 100],
  ['tax_rate', 'Tax rate', 80],
  ['inspected', 'Inspected', 80],
  ['fraud', 'Found fraudulent', 110],
  ['seized', 'Seized', 70],
  ['payer_bank_bic', 'Payer bank', 110],
  ['payee_bank_bic', 'Payee bank', 110],
  ['instrument', 'Instrument', 90],
  ['report_type', 'Report type', 100],
  ['outcome', 'Outcome', 100],
];
/** Internals: shown only with "Show source columns". */
const SOURCE = new Set(['row_id', 'batch_id', 'provider', 'line', 'importer_id', 'exporter_id', 'payer_id', 'payee_id']);
const SOURCE_LABELS: Record<string, string> = { row_id: 'Row id', batch_id: 'Batch', provider: 'Provider', line: 'Line in the file', importer_id: 'Importer id (source)', exporter_id: 'Exporter id (source)', payer_id: 'Payer id (source)', payee_id: 'Payee id (source)' };
const NUMERIC = new Set(['value', 'value_usd', 'unit_price_usd', 'fx_rate', 'amount_usd', 'penalty_usd', 'quantity', 'net_mass_kg', 'duty_amount', 'tax_rate', 'amount', 'penalty_amount', 'line', 'line_no']);
const MONEY = new Set(['value', 'value_usd', 'amount_usd', 'penalty_usd', 'unit_price_usd', 'amount', 'duty_amount', 'penalty_amount']);
/** The party role a name column links to. */
const PARTY_ROLE: Record<string, string> = { importer_name: 'importer', exporter_name: 'exporter', payer_name: 'payer', payee_name: 'payee' };

const words = (k: string) => k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
const stop = (e: MouseEvent) => e.stopPropagation();

export function LinesPanel(p: { dataset: string; cell?: Record<string, unknown> | undefined; where?: string | undefined; title: string; onClose: () => void }) {
  const { api, can } = useSession();
  const { navigate } = useRouter();
  const [data, setData] = useState<LinesResult | null>(null);
  const [links, setLinks] = useState<LineLinks | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [showSource, setShowSource] = useState(false);
  const cellJson = p.cell ? JSON.stringify(p.cell) : undefined;
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView({ block: 'nearest' });
  }, [cellJson, p.where]);

  useEffect(() => {
    const ac = new AbortController();
    setData(null);
    setError(null);
    setLoading(true);
    api
      .lines({ dataset: p.dataset, cell: cellJson, where: p.where, limit: 500 }, ac.signal)
      .then(setData)
      .catch((e: unknown) => !ac.signal.aborted && setError(e instanceof ApiError ? e.message : 'The lines could not be loaded.'))
      .finally(() => !ac.signal.aborted && setLoading(false));
    return () => ac.abort();
  }, [api, p.dataset, cellJson, p.where]);

  // Links for the rows loaded (the first 2,000): anomalies of the latest run and the parties of each line.
  const rowIds = useMemo(() => (data?.rows ?? []).slice(0, 2000).map((r) => String(r['row_id'] ?? '')).filter((x) => /^\d+$/.test(x)), [data]);
  useEffect(() => {
    if (!rowIds.length || (!can('anomalies:read') && !can('parties:read'))) return setLinks(null);
    const ac = new AbortController();
    api.lineLinks({ dataset: p.dataset === 'payments' ? 'payments' : 'trade', rows: rowIds.join(',') }, ac.signal).then(setLinks, () => undefined);
    return () => ac.abort();
  }, [api, rowIds, p.dataset, can]);

  const more = async () => {
    if (!data?.next_offset) return;
    setLoading(true);
    try {
      const next = await api.lines({ dataset: p.dataset, cell: cellJson, where: p.where, limit: 2000, offset: data.next_offset });
      setData({ ...next, rows: [...data.rows, ...next.rows], offset: 0 });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The lines could not be loaded.');
    } finally {
      setLoading(false);
    }
  };

  const byRow = useMemo(() => {
    const anomalies = new Map<string, LineLinks['anomalies']>();
    const parties = new Map<string, string>();
    for (const a of links?.anomalies ?? []) anomalies.set(a.row_id, [...(anomalies.get(a.row_id) ?? []), a]);
    for (const x of links?.parties ?? []) parties.set(`${x.row_id}:${x.role}`, x.party_id);
    return { anomalies, parties };
  }, [links]);

  const hsCodes = useMemo(() => [...new Set((data?.rows ?? []).slice(0, 2000).map((r) => String(r['hs_code'] ?? '').slice(0, 6)).filter((c) => c.length === 6))], [data]);
  const hsName = useNames('hs6', hsCodes);
  const portName = useNames('ports', []);
  const countryName = useNames('countries', []);

  const columns = useMemo<VtColumn<Line>[]>(() => {
    const present = data?.columns ?? [];
    const ordered = [...LABELS.filter(([id]) => present.includes(id)).map(([id]) => id), ...present.filter((c) => !LABELS.some(([id]) => id === c) && !SOURCE.has(c)), ...(showSource ? present.filter((c) => SOURCE.has(c)) : [])];
    const label = (c: string) => LABELS.find(([id]) => id === c)?.[1] ?? SOURCE_LABELS[c] ?? words(c);
    const width = (c: string) => LABELS.find(([id]) => id === c)?.[2] ?? (NUMERIC.has(c) ? 110 : 110);
    const cols: VtColumn<Line>[] = ordered.map((c) => {
      const role = PARTY_ROLE[c];
      const col: VtColumn<Line> = {
        id: c,
        label: label(c),
        width: width(c),
        numeric: NUMERIC.has(c),
        text: (r) => (MONEY.has(c) ? formatValue(r[c], 'money') : c === 'tax_rate' ? formatValue(r[c], 'ratio') : formatValue(r[c])),
      };
      if (c === 'hs_code') {
        col.text = (r) => {
          const code = String(r[c] ?? '');
          const n = hsName(code.slice(0, 6));
          return n ? `${code} ${n}` : code;
        };
      } else if (c === 'port_code') {
        col.text = (r) => {
          const code = String(r[c] ?? '');
          const n = portName(code);
          return n ? `${code} ${n}` : code;
        };
      } else if (c.endsWith('_country') || c === 'reporter') {
        col.title = (r) => (typeof r[c] === 'string' ? `${String(r[c])} ${countryName(r[c] as string) ?? ''}`.trim() : '');
      } else if (role) {
        col.activatable = true;
        col.render = (r) => {
          const id = byRow.parties.get(`${String(r['row_id'])}:${role}`);
          const name = formatValue(r[c]);
          return id ? (
            <Link to={`/parties/${encodeURIComponent(id)}`} tabIndex={-1} onClick={stop}>
              {name}
            </Link>
          ) : (
            name
          );
        };
      }
      return col;
    });
    // The column is there from the start (a placeholder until the links arrive), so columns never shift under the user.
    if (can('anomalies:read')) {
      cols.unshift({
        id: '_anomalies',
        label: 'Anomalies',
        width: 150,
        activatable: true,
        text: (r) => (links ? (byRow.anomalies.get(String(r['row_id'])) ?? []).map((a) => `${detectorTitle(a.detector)} ${a.score.toFixed(0)}`).join(', ') || 'none' : 'loading'),
        render: (r) => {
          if (!links) return <span className="muted">…</span>;
          const list = byRow.anomalies.get(String(r['row_id'])) ?? [];
          if (!list.length) return <span className="muted">none</span>;
          return (
            <span className="chips nowrap">
              {list.slice(0, 3).map((a) => (
                <Link key={a.anomaly_id} to={`/anomalies/${encodeURIComponent(a.anomaly_id)}`} className="badge match" tabIndex={-1} onClick={stop} title={`${detectorTitle(a.detector)}, score ${a.score.toFixed(1)}`}>
                  {a.detector} {a.score.toFixed(0)}
                </Link>
              ))}
              {list.length > 3 && <span className="muted small">+{list.length - 3}</span>}
            </span>
          );
        },
      });
    }
    return cols;
  }, [data?.columns, showSource, links, byRow, hsName, portName, countryName, can]);

  // Keyboard: Enter on an anomalies or party cell opens what the cell links to.
  const activate = (i: number, col: string) => {
    const r = data?.rows[i];
    if (!r) return;
    if (col === '_anomalies') {
      const a = byRow.anomalies.get(String(r['row_id']))?.[0];
      if (a) navigate(`/anomalies/${encodeURIComponent(a.anomaly_id)}`);
    } else if (PARTY_ROLE[col]) {
      const id = byRow.parties.get(`${String(r['row_id'])}:${PARTY_ROLE[col]}`);
      if (id) navigate(`/parties/${encodeURIComponent(id)}`);
    }
  };

  const flagged = links ? [...byRow.anomalies.keys()].length : 0;

  return (
    <section ref={ref} className="panel drawer" aria-labelledby="lines-title" data-testid="lines-panel">
      <div className="panel-head">
        <h2 id="lines-title">Lines: {p.title}</h2>
        {data && (
          <span className="muted small">
            {formatInt(data.rows.length)} of {formatInt(data.total)} lines{links ? `; ${formatInt(flagged)} with anomalies in ${links.run_id ?? 'no run'}` : ''}
          </span>
        )}
        <span style={{ marginLeft: 'auto' }} />
        <label className="check">
          <input type="checkbox" checked={showSource} onChange={(e) => setShowSource(e.target.checked)} /> Show source columns
        </label>
        {data?.next_offset != null && (
          <button type="button" onClick={() => void more()} disabled={loading}>
            Load more
          </button>
        )}
        {data && can('data:export') && <ExportButton label="Export CSV" fetch={() => api.exportLines({ dataset: p.dataset, cell: cellJson, where: p.where })} />}
        <button type="button" onClick={p.onClose}>
          Close
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {loading && !data && <p className="muted pad">Loading lines…</p>}
      {data && (
        <VirtualTable
          label={`Lines of ${p.title}`}
          columns={columns}
          rows={data.rows}
          height={300}
          onActivate={activate}
          empty="No lines match: the cell may have changed since the result was loaded, or the lines are outside your scope."
          testId="lines-table"
        />
      )}
    </section>
  );
}
