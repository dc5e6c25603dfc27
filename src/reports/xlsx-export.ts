/**
 * XLSX export (ECMA-376 SpreadsheetML, transitional) of a report table, written by hand: five small XML
 * parts in a ZIP (zip-writer.ts), no dependency.
 *
 * Invariants:
 * - One worksheet: title, subtitle lines, a blank row, the header (bold), the rows, the total (bold), a
 *   blank row and the notes. Text cells are inline strings (no shared-string table to keep consistent).
 * - Numbers are numeric cells with a number format by unit (money and counts #,##0; ratios and changes
 *   0.00 %), so the reader can compute with them; suppressed cells are the text "suppressed".
 * - All text is XML-escaped and stripped of characters XML 1.0 forbids; a text starting with = is still a
 *   string cell (t="inlineStr"), never a formula, so spreadsheet injection is impossible by construction.
 */
import { writeZip } from './zip-writer.ts';
import type { ReportTableData, TableColumn, TableValue } from './report-table.ts';

const esc = (s: string) =>
  s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

function colName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** Style ids of styles.xml below. */
const STYLE = { plain: 0, bold: 1, integer: 2, percent: 3, decimal: 4, title: 5 } as const;

function numberStyle(c: TableColumn | undefined, v: number): number {
  if (!c) return STYLE.decimal;
  if (c.unit === 'ratio' || c.unit === 'change') return STYLE.percent;
  if (c.unit === 'USD' || c.unit === 'count') return Number.isInteger(v) || Math.abs(v) >= 1000 ? STYLE.integer : STYLE.decimal;
  return STYLE.decimal;
}

function cell(ref: string, v: TableValue, style: number, col?: TableColumn): string {
  if (v === null) return style ? `<c r="${ref}" s="${style}"/>` : '';
  if (typeof v === 'number' && Number.isFinite(v)) return `<c r="${ref}" s="${style === STYLE.bold ? STYLE.bold : numberStyle(col, v)}"><v>${v}</v></c>`;
  return `<c r="${ref}" t="inlineStr"${style ? ` s="${style}"` : ''}><is><t xml:space="preserve">${esc(String(v))}</t></is></c>`;
}

function sheetXml(t: ReportTableData): string {
  const rows: string[] = [];
  let r = 0;
  const row = (values: readonly TableValue[], style: (i: number) => number) => {
    r++;
    const cells = values.map((v, i) => cell(`${colName(i)}${r}`, v, style(i), t.columns[i])).join('');
    rows.push(`<row r="${r}">${cells}</row>`);
  };
  row([t.title], () => STYLE.title);
  for (const s of t.subtitle) row([s], () => STYLE.plain);
  r++;
  const headerRow = r + 1;
  row(t.columns.map((c) => c.label), () => STYLE.bold);
  for (const x of t.rows) row(x, () => STYLE.plain);
  if (t.total) row(t.total, (i) => (typeof t.total![i] === 'number' ? STYLE.plain : STYLE.bold));
  r++;
  for (const n of t.notes) row([n], () => STYLE.plain);
  const widths = t.columns
    .map((c, i) => {
      const longest = Math.max(c.label.length, ...t.rows.map((x) => (typeof x[i] === 'number' ? 14 : String(x[i] ?? '').length)));
      return `<col min="${i + 1}" max="${i + 1}" width="${Math.min(60, Math.max(8, longest + 2))}" customWidth="1"/>`;
    })
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
    `<sheetViews><sheetView workbookViewId="0"><pane ySplit="${headerRow}" topLeftCell="A${headerRow + 1}" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` +
    (widths ? `<cols>${widths}</cols>` : '') +
    `<sheetData>${rows.join('')}</sheetData></worksheet>`
  );
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
  '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
  '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
  '</Types>';

const ROOT_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
  '</Relationships>';

const WORKBOOK_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
  '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
  '</Relationships>';

// Built-in number formats: 3 = #,##0; 10 = 0.00%; 4 = #,##0.00.
const STYLES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="14"/><name val="Calibri"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="6">' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '</cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

function workbookXml(sheetName: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
    `<sheets><sheet name="${esc(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`
  );
}

/** Sheet names: at most 31 characters, none of : \ / ? * [ ]. */
function sheetName(title: string): string {
  return title.replace(/[:\\/?*[\]]/g, ' ').trim().slice(0, 31) || 'Report';
}

export function writeXlsx(t: ReportTableData): Buffer {
  const part = (name: string, xml: string) => ({ name, data: Buffer.from(xml, 'utf8') });
  return writeZip([
    part('[Content_Types].xml', CONTENT_TYPES),
    part('_rels/.rels', ROOT_RELS),
    part('xl/workbook.xml', workbookXml(sheetName(t.title))),
    part('xl/_rels/workbook.xml.rels', WORKBOOK_RELS),
    part('xl/styles.xml', STYLES),
    part('xl/worksheets/sheet1.xml', sheetXml(t)),
  ]);
}
