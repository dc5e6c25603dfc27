/**
 * Drill-down: the lines behind a cell (or behind a filter, e.g. one anomaly's line), paged from
 * /api/lines and shown in the virtualised grid. Only row-level scopes reach it (the API refuses others).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { LinesResult } from '../api/types.ts';
import { formatInt, formatValue } from '../format/number-format.ts';
import { useApi } from '../session/session.tsx';
import { VirtualTable, type VtColumn } from '../table/virtual-table.tsx';
import { ExportButton } from '../export/export-button.tsx';

const NUMERIC = new Set(['value', 'value_usd', 'unit_price_usd', 'fx_rate', 'quantity', 'net_mass_kg', 'duty_amount', 'tax_rate', 'amount', 'amount_usd', 'line', 'line_no']);
const WIDTH: Record<string, number> = { description: 220, importer_name: 200, exporter_name: 200, manufacturer_name: 180, payer_name: 200, payee_name: 200, declaration_id: 140, row_id: 90, batch_id: 90 };

export function LinesPanel(p: { dataset: string; cell?: Record<string, unknown> | undefined; where?: string | undefined; title: string; onClose: () => void }) {
  const api = useApi();
  const [data, setData] = useState<LinesResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
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

  const columns = useMemo<VtColumn<Record<string, unknown>>[]>(
    () =>
      (data?.columns ?? []).map((c) => ({
        id: c,
        label: c,
        width: WIDTH[c] ?? (NUMERIC.has(c) ? 110 : 104),
        numeric: NUMERIC.has(c),
        text: (r) => formatValue(r[c]),
      })),
    [data?.columns],
  );

  return (
    <section ref={ref} className="panel drawer" aria-labelledby="lines-title" data-testid="lines-panel">
      <div className="panel-head">
        <h2 id="lines-title">Lines: {p.title}</h2>
        {data && (
          <span className="muted small">
            {formatInt(data.rows.length)} of {formatInt(data.total)} lines
          </span>
        )}
        <span style={{ marginLeft: 'auto' }} />
        {data?.next_offset != null && (
          <button type="button" onClick={() => void more()} disabled={loading}>
            Load more
          </button>
        )}
        {data && (
          <ExportButton label="Export CSV" fetch={() => api.exportLines({ dataset: p.dataset, cell: cellJson, where: p.where })} />
        )}
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
      {data && <VirtualTable label={`Lines of ${p.title}`} columns={columns} rows={data.rows} height={300} empty="No lines." />}
    </section>
  );
}
