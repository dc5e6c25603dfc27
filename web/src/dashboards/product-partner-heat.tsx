/**
 * The dashboard's heat table of products by partners (kpis.md): one measure by HS section and partner
 * country for one year, under the dashboard's current place filter (nation, field office or port).
 *
 * Invariants:
 * - One server query (GET /api/measures/query, by hs_section and partner, period year, that year only, the
 *   top 12 sections with the rest as "(others)"), so suppression and incomplete-period rules are the
 *   server's; suppressed cells show as "supp.", never as zero or as an empty cell.
 * - Partners are the 10 with the largest total over the sections shown, counted here from the cells the
 *   server returned (suppressed cells count as nothing), so the columns never reveal a suppressed value.
 * - Cells are HeatCell's: the figure as text, the full number in the title, colour never the only carrier.
 */
import { ScrollBox } from '../table/scroll-box.tsx';
import { useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { MeasuresResult } from '../api/types.ts';
import { HeatCell } from './heat-cell.tsx';
import { useApi } from '../session/session.tsx';
import { useNames } from '../reference/reference-names.tsx';

const SECTIONS = 12;
const PARTNERS = 10;

export function ProductPartnerHeat({ measure, measureName, where, year }: { measure: string; measureName: string; where: string; year: string }) {
  const api = useApi();
  const [result, setResult] = useState<MeasuresResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    setResult(null);
    setError(null);
    api.measuresQuery({ measure, by: 'hs_section,partner', where: where || undefined, period: 'year', from: year, to: year, top: SECTIONS }, ac.signal).then(setResult, (e: unknown) => {
      if (!ac.signal.aborted) setError(e instanceof ApiError ? e.message : 'Products by partners could not be loaded.');
    });
    return () => ac.abort();
  }, [api, measure, where, year]);

  const table = useMemo(() => {
    if (!result) return null;
    const sections: string[] = [];
    const cells = new Map<string, Record<string, unknown>>();
    const partnerTotal = new Map<string, number>();
    let incomplete = false;
    for (const r of result.rows) {
      const s = String(r['hs_section'] ?? '(none)');
      const p = String(r['partner'] ?? '(none)');
      if (!sections.includes(s)) sections.push(s);
      cells.set(`${s}\u0000${p}`, r);
      const v = r[measure];
      partnerTotal.set(p, (partnerTotal.get(p) ?? 0) + (typeof v === 'number' ? v : 0));
      if (r['incomplete'] === true) incomplete = true;
    }
    const partners = [...partnerTotal.entries()].sort((a, b) => b[1] - a[1]).slice(0, PARTNERS).map(([p]) => p);
    let max = 0;
    for (const r of cells.values()) if (typeof r[measure] === 'number') max = Math.max(max, r[measure] as number);
    return { sections, partners, cells, max, incomplete };
  }, [result, measure]);
  const sectionName = useNames('hs_sections', table?.sections ?? []);
  const countryName = useNames('countries', table?.partners ?? []);

  return (
    <section className="panel" aria-labelledby="pp-title">
      <div className="panel-head">
        <h2 id="pp-title">
          {measureName} by product (HS section) and partner, {year}
        </h2>
        {table?.incomplete && <span className="muted small">the year is not complete in the loaded data</span>}
        {result && result.suppressed_cells > 0 && <span className="muted small">{result.suppressed_cells} small cells suppressed</span>}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!table && !error && <p className="muted pad-x">Loading…</p>}
      {table && table.sections.length === 0 && <p className="muted pad-x">No trade in {year} here that you may see: choose another place or measure.</p>}
      {table && table.sections.length > 0 && (
        <ScrollBox label="Products by partner" style={{ maxHeight: 460 }}>
          <table className="heat" data-testid="product-partner-heat">
            <thead>
              <tr>
                <th className="rowhead" scope="col">
                  HS section
                </th>
                {table.partners.map((p) => (
                  <th key={p} scope="col" title={countryName(p) ?? p}>
                    {p}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.sections.map((s) => (
                <tr key={s}>
                  <th className="rowhead section-name" scope="row" title={sectionName(s) ? `${s} ${sectionName(s)}` : s} data-section={s}>
                    {s}
                    {sectionName(s) && <span className="muted"> {sectionName(s)}</span>}
                  </th>
                  {table.partners.map((p) => {
                    const r = table.cells.get(`${s}\u0000${p}`);
                    return <HeatCell key={p} label={`${s}, ${p}`} value={r === undefined ? undefined : r['suppressed'] === true ? null : r[measure]} max={table.max} />;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}
