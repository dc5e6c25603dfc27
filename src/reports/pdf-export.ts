/**
 * PDF export (PDF 1.4) of a report table, written by hand with the standard Helvetica fonts: no dependency.
 *
 * Invariants:
 * - Landscape A4 pages; the title and subtitle on the first page, the column header repeated on every
 *   page, the total in bold, the notes after the table, "page i of n" in every footer.
 * - Text is WinAnsi-encoded with the standard 14 fonts (no embedding): a character outside Latin-1 prints
 *   as "?", and PDF string delimiters are escaped, so no text can break out of a string.
 * - Widths come from the Helvetica metrics below, so numbers are right-aligned exactly and over-long text
 *   is cut with "..." to its column instead of running into the next one.
 * - The cross-reference table lists the byte offset of every object, each entry exactly 20 bytes, and
 *   startxref points at it, so readers need no repair.
 */
import type { ReportTableData, TableColumn, TableValue } from './report-table.ts';

// Advance widths (1/1000 em) of ASCII 32..126 in Helvetica and Helvetica-Bold (Adobe core font metrics).
const REGULAR = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
  975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
  333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

const PAGE_W = 842;
const PAGE_H = 595;
const MARGIN = 36;
const FONT = 7.5;
const ROW_H = 10.5;
const PAD = 5;

/** Latin-1 text for WinAnsi; anything else (and C1 controls) becomes "?". */
function latin1(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += c >= 32 && c <= 255 && !(c >= 127 && c <= 159) ? ch : c === 9 ? ' ' : '?';
  }
  return out;
}

function textWidth(s: string, size: number, bold = false): number {
  const table = bold ? BOLD : REGULAR;
  let w = 0;
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    w += c >= 32 && c <= 126 ? table[c - 32]! : 556;
  }
  return (w * size) / 1000;
}

function fit(s: string, width: number, size: number, bold = false): string {
  if (textWidth(s, size, bold) <= width) return s;
  let t = s;
  while (t.length && textWidth(`${t}...`, size, bold) > width) t = t.slice(0, -1);
  return `${t}...`;
}

const pdfString = (s: string) => `(${s.replaceAll('\\', '\\\\').replaceAll('(', '\\(').replaceAll(')', '\\)')})`;

const grouped = (v: number, digits: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function formatValue(v: TableValue, c: TableColumn): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return '';
  switch (c.unit) {
    case 'ratio':
      return `${(v * 100).toFixed(1)} %`;
    case 'change':
      return `${v > 0 ? '+' : ''}${(v * 100).toFixed(1)} %`;
    case 'count':
      return grouped(v, Number.isInteger(v) ? 0 : 2);
    case 'USD':
      return grouped(v, Math.abs(v) >= 100 ? 0 : 2);
    default:
      return String(v);
  }
}

/** Header labels wrapped by words into at most three lines of the column width. */
function wrap(label: string, width: number, size: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const w of label.split(/\s+/)) {
    const next = cur ? `${cur} ${w}` : w;
    if (textWidth(next, size, true) <= width || !cur) cur = next;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  if (cur) lines.push(cur);
  if (lines.length > 3) lines.splice(2, lines.length - 2, lines.slice(2).join(' '));
  return lines.map((l) => fit(l, width, size, true));
}

export function writePdf(t: ReportTableData): Buffer {
  const usable = PAGE_W - 2 * MARGIN;
  const cols = t.columns;
  const body = [...t.rows, ...(t.total ? [t.total] : [])];
  const numeric = cols.map((c) => c.kind === 'measure' || c.kind === 'change');
  // Natural width of each column: its widest value, and its header wrapped to about 12 characters a line.
  let size = FONT;
  const natural = (s: number) =>
    cols.map((c, i) => {
      const values = body.map((r) => textWidth(latin1(formatValue(r[i] ?? null, c)), s));
      const header = Math.max(...c.label.split(/\s+/).map((w) => textWidth(latin1(w), s, true)), textWidth('M'.repeat(8), s, true));
      return Math.min(Math.max(header, ...values, 0) + 2 * PAD, usable / 2);
    });
  let widths = natural(size);
  while (widths.reduce((a, b) => a + b, 0) > usable && size > 5.5) widths = natural((size -= 0.5));
  const total = widths.reduce((a, b) => a + b, 0);
  if (total > usable) widths = widths.map((w) => (w * usable) / total);
  const lineH = size + 3;

  const headers = cols.map((c, i) => wrap(latin1(c.label), widths[i]! - 2 * PAD, size));
  const headerLines = Math.max(1, ...headers.map((h) => h.length));
  const pages: string[][] = [];
  let ops: string[] = [];
  let y = 0;
  const text = (s: string, x: number, yy: number, sz: number, bold = false) => ops.push(`BT /${bold ? 'F2' : 'F1'} ${sz} Tf ${x.toFixed(2)} ${yy.toFixed(2)} Td ${pdfString(s)} Tj ET`);
  const rule = (yy: number, w = 0.5) => ops.push(`${w} w ${MARGIN} ${yy.toFixed(2)} m ${(MARGIN + widths.reduce((a, b) => a + b, 0)).toFixed(2)} ${yy.toFixed(2)} l S`);
  const tableHeader = () => {
    const h = headerLines * lineH + 4;
    ops.push(`0.92 g ${MARGIN} ${(y - h).toFixed(2)} ${widths.reduce((a, b) => a + b, 0).toFixed(2)} ${h.toFixed(2)} re f 0 g`);
    let x = MARGIN;
    cols.forEach((c, i) => {
      headers[i]!.forEach((line, k) => {
        const lx = numeric[i] ? x + widths[i]! - PAD - textWidth(line, size, true) : x + PAD;
        text(line, lx, y - 2 - (k + 1) * lineH + 2, size, true);
      });
      x += widths[i]!;
    });
    y -= h;
    rule(y);
  };
  const newPage = (first: boolean) => {
    if (ops.length) pages.push(ops);
    ops = [];
    y = PAGE_H - MARGIN;
    if (first) {
      text(fit(latin1(t.title), usable, 14, true), MARGIN, y - 14, 14, true);
      y -= 22;
      for (const s of t.subtitle) {
        text(fit(latin1(s), usable, 8), MARGIN, y - 8, 8);
        y -= 11;
      }
      y -= 6;
    }
    tableHeader();
  };
  newPage(true);
  body.forEach((r, ri) => {
    const isTotal = t.total !== null && ri === body.length - 1;
    if (y - ROW_H < MARGIN + 20) newPage(false);
    if (isTotal) rule(y, 0.8);
    let x = MARGIN;
    cols.forEach((c, i) => {
      const s = fit(latin1(formatValue(r[i] ?? null, c)), widths[i]! - 2 * PAD, size, isTotal);
      const lx = numeric[i] ? x + widths[i]! - PAD - textWidth(s, size, isTotal) : x + PAD;
      if (s) text(s, lx, y - ROW_H + 3, size, isTotal);
      x += widths[i]!;
    });
    y -= ROW_H;
  });
  rule(y);
  y -= 8;
  for (const n of t.notes) {
    if (y - 10 < MARGIN + 20) newPage(false);
    text(fit(latin1(n), usable, 7), MARGIN, y - 8, 7);
    y -= 10;
  }
  pages.push(ops);

  // Objects: 1 catalog, 2 pages, 3 and 4 fonts, 5 info, then a page and its content stream per page.
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 6 + 2 * i);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  objects[4] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>';
  objects[5] = `<< /Title ${pdfString(latin1(t.title))} /Producer (Parallax) >>`;
  pages.forEach((p, i) => {
    const footer = `BT /F1 7 Tf ${MARGIN} ${MARGIN - 12} Td ${pdfString(fit(latin1(`${t.title} - page ${i + 1} of ${pages.length}`), usable, 7))} Tj ET`;
    const content = [...p, footer].join('\n');
    objects[pageIds[i]!] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`;
    objects[pageIds[i]! + 1] = `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
  });
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0]!.length;
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = offset;
    const b = Buffer.from(`${id} 0 obj\n${objects[id]}\nendobj\n`, 'latin1');
    chunks.push(b);
    offset += b.length;
  }
  const xref = [`xref\n0 ${objects.length}\n`, '0000000000 65535 f \n', ...offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  chunks.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(chunks);
}
