/**
 * PDF export of a report table with pdfkit, in the standard Helvetica fonts pdfkit carries (no font file is
 * embedded, read from disk outside pdfkit, or downloaded).
 *
 * Invariants:
 * - A4, portrait when the table fits the portrait width at the normal font size, else landscape (many
 *   columns), and the font shrinks (down to 5.5 pt) before any column is cut. The title, the filter and the
 *   other subtitle lines on the first page; the column header (wrapped by words, at most three lines, on a
 *   grey band) repeated on every page; the total in bold; the notes after the table; "page i of n" in
 *   every footer (pages are buffered and footed once their number is known).
 * - Numbers (measures and changes) are right-aligned in their column; every other text is left-aligned.
 *   Widths come from pdfkit's font metrics, so over-long text is cut with "..." to its column instead of
 *   running into the next one.
 * - Text is drawn with the standard fonts' WinAnsi encoding: a character outside Latin-1 prints as "?"
 *   (chosen here, not left to the library), and pdfkit writes strings hex-encoded, so no text can break out
 *   of a string or into the content stream.
 */
import PDFDocument from 'pdfkit';
import type { ReportTableData, TableColumn, TableValue } from './report-table.ts';

const MARGIN = 36;
const FONT = 8;
const MIN_FONT = 5.5;
const PAD = 5;
const A4 = { short: 595.28, long: 841.89 };
const REGULAR = 'Helvetica';
const BOLD = 'Helvetica-Bold';

/** Latin-1 text for WinAnsi; anything else (and C1 controls) becomes "?". */
function latin1(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += c >= 32 && c <= 255 && !(c >= 127 && c <= 159) ? ch : c === 9 ? ' ' : '?';
  }
  return out;
}

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
      // Cents only where they say something: small amounts with a fraction (a 0 is "0", not "0.00").
      return grouped(v, Math.abs(v) >= 100 || Number.isInteger(v) ? 0 : 2);
    default:
      return String(v);
  }
}

export async function writePdf(t: ReportTableData): Promise<Buffer> {
  const doc = new PDFDocument({ pdfVersion: '1.4', autoFirstPage: false, bufferPages: true, margin: MARGIN, info: { Title: latin1(t.title), Producer: 'Parallax', Creator: 'Parallax' } });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = (s: string, size: number, bold = false) => doc.font(bold ? BOLD : REGULAR).fontSize(size).widthOfString(s);
  const fit = (s: string, w: number, size: number, bold = false) => {
    if (width(s, size, bold) <= w) return s;
    let x = s;
    while (x.length && width(`${x}...`, size, bold) > w) x = x.slice(0, -1);
    return `${x}...`;
  };
  /** Words into at most `max` lines of width `w`; the last line takes the rest and is cut to fit. */
  const wrap = (s: string, w: number, size: number, bold: boolean, max: number) => {
    const lines: string[] = [];
    let cur = '';
    for (const word of s.split(/\s+/).filter(Boolean)) {
      const next = cur ? `${cur} ${word}` : word;
      if (width(next, size, bold) <= w || !cur) cur = next;
      else {
        lines.push(cur);
        cur = word;
      }
    }
    if (cur) lines.push(cur);
    if (lines.length > max) lines.splice(max - 1, lines.length - max + 1, lines.slice(max - 1).join(' '));
    return lines.map((l) => fit(l, w, size, bold));
  };

  const lineCount = (s: string, w: number, size: number) => {
    let n = 0;
    let cur = '';
    for (const word of s.split(/\s+/).filter(Boolean)) {
      const next = cur ? `${cur} ${word}` : word;
      if (cur && width(next, size, true) > w) {
        n++;
        cur = word;
      } else cur = next;
    }
    return n + (cur ? 1 : 0);
  };

  const cols = t.columns;
  const body = [...t.rows, ...(t.total ? [t.total] : [])];
  const cells = body.map((r) => cols.map((c, i) => latin1(formatValue(r[i] ?? null, c))));
  const numeric = cols.map((c) => c.kind === 'measure' || c.kind === 'change');
  // Natural width of a column: its widest value, and its header in three lines (at least eight wide letters).
  const natural = (size: number, usable: number) =>
    cols.map((c, i) => {
      const values = cells.map((r, k) => width(r[i]!, size, t.total !== null && k === cells.length - 1));
      const label = latin1(c.label);
      let header = Math.max(...label.split(/\s+/).map((w) => width(w, size, true)), width('M'.repeat(8), size, true));
      while (lineCount(label, header, size) > 3 && header < usable / 2) header *= 1.08;
      return Math.min(Math.max(header, ...values, 0) + 2 * PAD, usable / 2);
    });
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const portrait = sum(natural(FONT, A4.short - 2 * MARGIN)) <= A4.short - 2 * MARGIN;
  const pageW = portrait ? A4.short : A4.long;
  const pageH = portrait ? A4.long : A4.short;
  const usable = pageW - 2 * MARGIN;
  let size = FONT;
  let widths = natural(size, usable);
  while (sum(widths) > usable && size > MIN_FONT) widths = natural((size -= 0.5), usable);
  if (sum(widths) > usable) widths = widths.map((w) => (w * usable) / sum(widths));
  const tableW = sum(widths);
  const lineH = size * 1.25;
  const rowH = size * 1.6;
  const headers = cols.map((c, i) => wrap(latin1(c.label), widths[i]! - 2 * PAD, size, true, 3));
  const headerH = Math.max(1, ...headers.map((h) => h.length)) * lineH + 6;
  const bottom = pageH - MARGIN - 14;

  /** One line of text at (x, y = top of the line), never wrapped or paginated by pdfkit. */
  const text = (s: string, x: number, y: number, sz: number, bold = false) => {
    if (s) doc.font(bold ? BOLD : REGULAR).fontSize(sz).fillColor('black').text(s, x, y, { lineBreak: false });
  };
  const rule = (y: number, w: number) => doc.save().moveTo(MARGIN, y).lineTo(MARGIN + tableW, y).lineWidth(w).strokeColor('#444444').stroke().restore();
  let y = 0;
  const tableHeader = () => {
    doc.save().rect(MARGIN, y, tableW, headerH).fill('#e8e8e8').restore();
    let x = MARGIN;
    cols.forEach((_, i) => {
      const lines = headers[i]!;
      // Bottom-aligned so single-line labels sit on the same baseline as the last line of wrapped ones.
      const top = y + headerH - 3 - lines.length * lineH;
      lines.forEach((line, k) => {
        const lx = numeric[i] ? x + widths[i]! - PAD - width(line, size, true) : x + PAD;
        text(line, lx, top + k * lineH + (lineH - size) / 2, size, true);
      });
      x += widths[i]!;
    });
    y += headerH;
    rule(y, 0.6);
  };
  const newPage = () => {
    doc.addPage({ size: 'A4', layout: portrait ? 'portrait' : 'landscape', margin: MARGIN });
    y = MARGIN;
  };

  newPage();
  // A long title wraps (two lines, then cut): the title is what the reader looks for first.
  for (const line of wrap(latin1(t.title), usable, 14, true, 2)) {
    text(line, MARGIN, y, 14, true);
    y += 18;
  }
  y += 3;
  for (const s of t.subtitle) {
    for (const line of wrap(latin1(s), usable, 8.5, false, 3)) {
      text(line, MARGIN, y, 8.5);
      y += 11;
    }
  }
  y += 8;
  tableHeader();
  cells.forEach((r, ri) => {
    const isTotal = t.total !== null && ri === cells.length - 1;
    if (y + rowH > bottom) {
      rule(y, 0.6);
      newPage();
      tableHeader();
    }
    if (isTotal) rule(y, 0.9);
    else if (ri % 2 === 1) doc.save().rect(MARGIN, y, tableW, rowH).fill('#f5f5f5').restore();
    let x = MARGIN;
    cols.forEach((_, i) => {
      const s = fit(r[i]!, widths[i]! - 2 * PAD, size, isTotal);
      const lx = numeric[i] ? x + widths[i]! - PAD - width(s, size, isTotal) : x + PAD;
      text(s, lx, y + (rowH - size) / 2, size, isTotal);
      x += widths[i]!;
    });
    y += rowH;
  });
  rule(y, 0.6);
  y += 8;
  for (const n of t.notes) {
    for (const line of wrap(latin1(n), usable, 7.5, false, 4)) {
      if (y + 10 > bottom) newPage();
      text(line, MARGIN, y, 7.5);
      y += 10;
    }
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const fy = pageH - MARGIN + 2;
    const label = `page ${i - range.start + 1} of ${range.count}`;
    doc.save().moveTo(MARGIN, fy - 4).lineTo(pageW - MARGIN, fy - 4).lineWidth(0.3).strokeColor('#999999').stroke().restore();
    const labelW = width(label, 7);
    text(fit(latin1(t.title), usable - labelW - 20, 7), MARGIN, fy, 7);
    text(label, pageW - MARGIN - labelW, fy, 7);
  }
  doc.end();
  return done;
}
