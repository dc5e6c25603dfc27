/**
 * XLSX export of a report table with exceljs: one worksheet laid out like the other formats.
 *
 * Invariants:
 * - One worksheet: title, subtitle lines, a blank row, the header (bold, frozen below it), the rows, the
 *   total (bold), a blank row and the notes.
 * - Numbers are numeric cells with a number format by unit (money and counts #,##0 or #,##0.00; ratios and
 *   changes 0.00%), so the reader can compute with them; suppressed cells are the text "suppressed".
 * - Every text is handed to exceljs as a plain string value, never as a { formula } object, so a text
 *   starting with = + - @ is a string cell and spreadsheet injection is impossible by construction (the
 *   exports test reads the file back and checks the cell type). Characters XML 1.0 forbids are stripped
 *   first: exceljs escapes markup but would write them through and make the file unreadable.
 * - Nothing is read from disk or the network: the workbook is built in memory and returned as bytes.
 */
import ExcelJS from 'exceljs';
import type { ReportTableData, TableColumn, TableValue } from './report-table.ts';

// eslint-disable-next-line no-control-regex
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');

const FORMAT = { integer: '#,##0', decimal: '#,##0.00', percent: '0.00%' } as const;

function numberFormat(c: TableColumn | undefined, v: number): string {
  if (c?.unit === 'ratio' || c?.unit === 'change') return FORMAT.percent;
  if (c?.unit === 'USD' || c?.unit === 'count') return Number.isInteger(v) || Math.abs(v) >= 1000 ? FORMAT.integer : FORMAT.decimal;
  return FORMAT.decimal;
}

/** Sheet names: at most 31 characters, none of : \ / ? * [ ]. */
function sheetName(title: string): string {
  return clean(title).replace(/[:\\/?*[\]]/g, ' ').trim().slice(0, 31) || 'Report';
}

export async function writeXlsx(t: ReportTableData): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Parallax';
  const ws = wb.addWorksheet(sheetName(t.title));
  let r = 0;
  const put = (values: readonly TableValue[], opts: { bold?: (i: number) => boolean; size?: number } = {}) => {
    r++;
    const row = ws.getRow(r);
    values.forEach((v, i) => {
      if (v === null) return;
      const cell = row.getCell(i + 1);
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) return;
        cell.value = v;
        cell.numFmt = numberFormat(t.columns[i], v);
      } else {
        cell.value = clean(v);
      }
      if (opts.bold?.(i) || opts.size) cell.font = { bold: opts.bold?.(i) ?? false, ...(opts.size ? { size: opts.size } : {}) };
    });
  };
  put([t.title], { bold: () => true, size: 14 });
  for (const s of t.subtitle) put([s]);
  r++;
  const headerRow = r + 1;
  put(
    t.columns.map((c) => c.label),
    { bold: () => true },
  );
  for (const x of t.rows) put(x);
  if (t.total) put(t.total, { bold: () => true });
  r++;
  for (const n of t.notes) put([n]);

  t.columns.forEach((c, i) => {
    const longest = Math.max(c.label.length, ...t.rows.map((x) => (typeof x[i] === 'number' ? 14 : String(x[i] ?? '').length)));
    ws.getColumn(i + 1).width = Math.min(60, Math.max(8, longest + 2));
  });
  ws.getRow(headerRow).alignment = { wrapText: true, vertical: 'bottom' };
  ws.views = [{ state: 'frozen', xSplit: 0, ySplit: headerRow, topLeftCell: `A${headerRow + 1}` }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}
