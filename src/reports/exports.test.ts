import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import type { MeasuresResult } from '../measures/index.ts';
import { csvNumber } from './csv-export.ts';
import { reportTable, writeCsv, writePdf, writeXlsx, SUPPRESSED, type ReportTableData } from './index.ts';

const result: MeasuresResult = {
  measures: [
    { id: 'import-value', name: 'Import value', unit: 'USD' },
    { id: 'inspection-rate', name: 'Inspection rate (inspected / lines)', unit: 'ratio' },
  ],
  source: 'trade',
  by: ['port', 'origin'],
  period: 'year',
  from: '2024',
  to: '2024',
  top: null,
  changes: ['yoy'],
  coverage: { first: '2023-01-01', last: '2024-12-31' },
  rows: [
    { port: 'USLAX', origin: 'CN', period: '2024', 'import-value': 1234567.5, 'import-value_yoy': 0.25, 'inspection-rate': 0.125, 'inspection-rate_yoy': null, incomplete: false, suppressed: false, suppression: null },
    { port: 'USLAX', origin: '=cmd|"/c calc"!A1', period: '2024', 'import-value': null, 'import-value_yoy': null, 'inspection-rate': null, 'inspection-rate_yoy': null, incomplete: false, suppressed: true, suppression: 'primary' },
    { port: 'USNYC', origin: 'Ünïcødé & <Co> 東京', period: '2024', 'import-value': 99.5, 'import-value_yoy': -0.5, 'inspection-rate': 0, 'inspection-rate_yoy': null, incomplete: true, suppressed: false, suppression: null },
  ],
  totals: { 'import-value': 2000000, 'inspection-rate': 0.1 },
  level: 'aggregate',
  suppressed_cells: 1,
};
const table = reportTable(result, { title: 'Steel (HS 72, 73) imports by port and origin, 2024', ranBy: 'tester', ranAt: '2025-01-02T00:00:00.000Z', where: 'hs2 in (72, 73)' });

describe('report table', () => {
  it('titles a report given none from what it shows', () => {
    expect(reportTable(result, { ranBy: 'x', ranAt: 'y' }).title).toBe('Import value and inspection rate (inspected / lines) by port or office and country of origin, per year, 2024');
    expect(reportTable({ ...result, by: [], period: null, from: null, to: null, measures: [result.measures[0]!] }, { ranBy: 'x', ranAt: 'y' }).title).toBe('Import value');
  });
  it('states the run time as people read it, and warns of incomplete periods only when one is shown', () => {
    expect(table.subtitle).toContain('Run by tester at 2025-01-02 00:00 UTC, on the data that user may read.');
    expect(table.notes.some((n) => n.startsWith('Incomplete:'))).toBe(true);
    const complete = reportTable({ ...result, rows: result.rows.map((r) => ({ ...r, incomplete: false })) }, { ranBy: 'x', ranAt: 'y' });
    expect(complete.notes.some((n) => n.startsWith('Incomplete:'))).toBe(false);
  });
  it('shows suppressed cells as "suppressed", keeps units, and rejects unknown layout columns', () => {
    expect(table.columns.map((c) => c.id)).toEqual(['port', 'origin', 'period', 'import-value', 'import-value_yoy', 'inspection-rate', 'inspection-rate_yoy', 'incomplete']);
    expect(table.rows[1]!.slice(3)).toEqual([SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, null]);
    expect(table.total).toEqual(['Total', null, null, 2000000, null, 0.1, null, null]);
    expect(table.notes.join(' ')).toMatch(/1 cell\(s\) suppressed/);
    expect(() => reportTable(result, { title: 't', columns: ['port', 'profit'], ranBy: 'x', ranAt: 'y' })).toThrow(/layout.columns: unknown column "profit"/);
    const picked = reportTable(result, { title: 't', columns: ['origin', 'import-value'], ranBy: 'x', ranAt: 'y' });
    expect(picked.rows[0]).toEqual(['CN', 1234567.5]);
  });
});

describe('CSV', () => {
  it('quotes per RFC 4180 and defuses formula injection', () => {
    const text = writeCsv(table).toString('utf8');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('Port or office,Country of origin,Year,Import value,Import value: change on year before,Inspection rate (inspected / lines),Inspection rate (inspected / lines): change on year before,Incomplete period');
    expect(lines[1]).toBe('USLAX,CN,2024,1234567.50,0.25,0.125,,');
    expect(lines[2]).toBe(`USLAX,"'=cmd|""/c calc""!A1",2024,suppressed,suppressed,suppressed,suppressed,`);
    expect(lines[3]).toBe('USNYC,Ünïcødé & <Co> 東京,2024,99.50,-0.5,0,,yes');
    expect(lines[4]).toBe('Total,,,2000000.00,,0.1,,');
  });

  it('writes money to the cent and drops float noise by unit', () => {
    expect(csvNumber(2256783.2499999995, 'USD')).toBe('2256783.25');
    expect(csvNumber(0.1 + 0.2, 'USD')).toBe('0.30');
    expect(csvNumber(-1234.5, 'USD')).toBe('-1234.50');
    expect(csvNumber(17, 'count')).toBe('17');
    expect(csvNumber(0.123456789, 'ratio')).toBe('0.123457');
    expect(csvNumber(-0.0333333333, 'change')).toBe('-0.033333');
    expect(csvNumber(0.1 + 0.2)).toBe('0.3');
    expect(csvNumber(45537.647)).toBe('45537.647');
    expect(csvNumber(Number.NaN)).toBe('');
  });
});

describe('XLSX', () => {
  const load = async (buf: Buffer) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    expect(wb.worksheets).toHaveLength(1);
    return wb.worksheets[0]!;
  };
  /** Row number whose first cell is `text`. */
  const rowOf = (ws: ExcelJS.Worksheet, text: string) => {
    for (let r = 1; r <= ws.rowCount; r++) if (ws.getCell(r, 1).value === text) return r;
    throw new Error(`no row starting with ${text}`);
  };

  it('reads back with exceljs: title, header, numeric cells with number formats by unit, suppressed text, totals and notes', async () => {
    const ws = await load(await writeXlsx(table));
    expect(ws.name).toBe('Steel (HS 72, 73) imports by po');
    expect(ws.getCell('A1').value).toBe(table.title);
    expect(ws.getCell('A1').font).toMatchObject({ bold: true, size: 14 });
    expect(ws.getCell('A2').value).toBe(table.subtitle[0]);
    expect(ws.getCell('A3').value).toBe('Filter: hs2 in (72, 73)');
    const h = rowOf(ws, 'Port or office');
    expect(ws.getRow(h).values).toEqual([undefined, ...table.columns.map((c) => c.label)]);
    expect(ws.getCell(h, 1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: h });

    const [r1, r2, r3] = [h + 1, h + 2, h + 3];
    const money = ws.getCell(r1, 4);
    expect([money.type, money.value, money.numFmt]).toEqual([ExcelJS.ValueType.Number, 1234567.5, '#,##0']);
    expect([ws.getCell(r1, 5).value, ws.getCell(r1, 5).numFmt]).toEqual([0.25, '0.00%']);
    expect([ws.getCell(r1, 6).value, ws.getCell(r1, 6).numFmt]).toEqual([0.125, '0.00%']);
    expect([ws.getCell(r3, 4).value, ws.getCell(r3, 4).numFmt]).toEqual([99.5, '#,##0.00']);
    expect([ws.getCell(r3, 5).value, ws.getCell(r3, 5).numFmt]).toEqual([-0.5, '0.00%']);
    expect(ws.getCell(r3, 6).type).toBe(ExcelJS.ValueType.Number);
    expect(ws.getCell(r3, 2).value).toBe('Ünïcødé & <Co> 東京');
    expect(ws.getCell(r3, 8).value).toBe('yes');
    expect(ws.getCell(r1, 7).type).toBe(ExcelJS.ValueType.Null);
    // The formula-looking origin is a string cell, never a formula.
    const cmd = ws.getCell(r2, 2);
    expect([cmd.type, cmd.value, cmd.formula]).toEqual([ExcelJS.ValueType.String, '=cmd|"/c calc"!A1', undefined]);
    expect([4, 5, 6, 7].map((c) => [ws.getCell(r2, c).type, ws.getCell(r2, c).value])).toEqual(Array(4).fill([ExcelJS.ValueType.String, SUPPRESSED]));

    const total = rowOf(ws, 'Total');
    expect(total).toBe(r3 + 1);
    expect([ws.getCell(total, 4).value, ws.getCell(total, 4).numFmt, ws.getCell(total, 4).font?.bold]).toEqual([2000000, '#,##0', true]);
    expect(ws.getCell(total, 6).value).toBe(0.1);
    expect(ws.getCell(total + 2, 1).value).toBe(table.notes[0]);
    expect(ws.getColumn(2).width).toBeGreaterThan(ws.getColumn(3).width!);
  });

  it('writes every text starting with = + - @ as a string cell, and strips characters XML forbids', async () => {
    const risky = ['=1+1', '+SUM(A1:A2)', '-2+3', '@SUM(A1)', '=HYPERLINK("http://x","y")', 'bell\u0007 and nul\u0000'];
    const t: ReportTableData = {
      title: 'a:b/c?d*[e]',
      subtitle: ['=subtitle'],
      columns: [{ id: 'k', label: '=label', kind: 'dimension' }, { id: 'v', label: 'Lines', kind: 'measure', unit: 'count' }],
      rows: risky.map((k, i) => [k, i]),
      total: null,
      notes: ['-note'],
    };
    const ws = await load(await writeXlsx(t));
    expect(ws.name).toBe('a b c d  e');
    const cells: ExcelJS.Cell[] = [];
    ws.eachRow((row) => row.eachCell((c) => cells.push(c)));
    expect(cells.filter((c) => c.type === ExcelJS.ValueType.Formula)).toEqual([]);
    const texts = cells.filter((c) => c.type === ExcelJS.ValueType.String).map((c) => c.value);
    expect(texts).toEqual(expect.arrayContaining(['=subtitle', '=label', '-note', ...risky.slice(0, 5), 'bell and nul']));
    const counts = cells.filter((c) => c.type === ExcelJS.ValueType.Number);
    expect(counts.map((c) => [c.value, c.numFmt])).toEqual(risky.map((_, i) => [i, '#,##0']));
  });
});

/** What a PDF holds, read with no PDF library: pages, each page's text (hex strings of TJ arrays), fonts. */
function readPdf(pdf: Buffer) {
  const text = pdf.toString('latin1');
  expect(text.startsWith('%PDF-1.4\n')).toBe(true);
  expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
  // The cross-reference table: every in-use entry points at its object, and startxref at the table.
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)![1]);
  expect(text.slice(startxref, startxref + 4)).toBe('xref');
  const [, first, count] = /^xref\s+(\d+) (\d+)\s/.exec(text.slice(startxref))!;
  expect(Number(first)).toBe(0);
  const entries = text.slice(startxref).split('\n').slice(2, 2 + Number(count));
  entries.forEach((e, id) => {
    if (id === 0) return expect(e.trim()).toBe('0000000000 65535 f');
    expect(e).toMatch(/^\d{10} 00000 n ?$/);
    const at = Number(e.slice(0, 10));
    expect(text.slice(at, at + `${id} 0 obj`.length)).toBe(`${id} 0 obj`);
  });
  expect(text).toMatch(new RegExp(`/Size ${count}\\b`));
  // Objects by number, with their stream decoded (each /Length is exact, or inflate fails or endstream moves).
  const objects = new Map<number, { dict: string; stream: string | null }>();
  for (const m of text.matchAll(/(\d+) 0 obj\n<<([\s\S]*?)>>\n(stream\n|endobj)/g)) {
    let stream: string | null = null;
    if (m[3] === 'stream\n') {
      const len = Number(/\/Length (\d+)/.exec(m[2]!)![1]);
      const start = m.index! + m[0].length;
      expect(text.slice(start + len, start + len + 10)).toBe('\nendstream');
      const raw = pdf.subarray(start, start + len);
      stream = (/\/FlateDecode/.test(m[2]!) ? inflateSync(raw) : raw).toString('latin1');
    }
    objects.set(Number(m[1]), { dict: m[2]!, stream });
  }
  const root = objects.get(Number(/\/Root (\d+) 0 R/.exec(text)![1]))!;
  const pagesObj = objects.get(Number(/\/Pages (\d+) 0 R/.exec(root.dict)![1]))!;
  const kids = [.../\/Kids \[([^\]]*)\]/.exec(pagesObj.dict)![1]!.matchAll(/(\d+) 0 R/g)].map((k) => Number(k[1]));
  expect(Number(/\/Count (\d+)/.exec(pagesObj.dict)![1])).toBe(kids.length);
  const pages = kids.map((id) => {
    const page = objects.get(id)!;
    expect(page.dict).toMatch(/\/Type \/Page\b/);
    const [w, h] = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(page.dict)!.slice(1).map(Number) as [number, number];
    const content = objects.get(Number(/\/Contents (\d+) 0 R/.exec(page.dict)![1]))!.stream!;
    const lines = [...content.matchAll(/\[((?:<[0-9a-f]*>|\s|-?[\d.]+)*)\] TJ/g)].map((tj) =>
      [...tj[1]!.matchAll(/<([0-9a-f]*)>/g)].map((hx) => Buffer.from(hx[1]!, 'hex').toString('latin1')).join(''),
    );
    return { landscape: w > h, lines, content };
  });
  const fonts = [...text.matchAll(/\/BaseFont \/([\w-]+)/g)].map((f) => f[1]);
  return { pages, fonts, embedded: /\/FontFile/.test(text) };
}

describe('PDF', () => {
  it('is a valid PDF in the standard Helvetica fonts with title, filter, formatted right-aligned numbers and footer', async () => {
    const pdf = readPdf(await writePdf(table));
    expect(pdf.pages).toHaveLength(1);
    expect(new Set(pdf.fonts)).toEqual(new Set(['Helvetica', 'Helvetica-Bold']));
    expect(pdf.embedded).toBe(false);
    const lines = pdf.pages[0]!.lines;
    expect(lines[0]).toBe(table.title);
    expect(lines).toContain('Filter: hs2 in (72, 73)');
    expect(lines).toEqual(expect.arrayContaining(['1,234,568', '+25.0 %', '-50.0 %', '12.5 %', '99.50', '2,000,000', SUPPRESSED, 'page 1 of 1']));
    expect(lines.filter((l) => l === SUPPRESSED)).toHaveLength(4);
    expect(lines).toContain('=cmd|"/c calc"!A1');
    // Outside Latin-1 prints as "?"; Latin-1 letters stay.
    expect(lines).toContain('Ünïcødé & <Co> ??');
    // Headers are wrapped by words into lines, never cut: between the subtitle and the first row, the lines
    // read back as the labels in order.
    const header = lines.slice(1 + table.subtitle.length, lines.indexOf('USLAX'));
    expect(header.length).toBeGreaterThan(table.columns.length);
    expect(header.join(' ')).toBe(table.columns.map((c) => c.label).join(' '));
  });

  it('right-aligns numbers: every number of a column ends at the same x', async () => {
    const t: ReportTableData = {
      title: 'Align',
      subtitle: [],
      columns: [{ id: 'k', label: 'Key', kind: 'dimension' }, { id: 'v', label: 'Value', kind: 'measure', unit: 'USD' }],
      rows: [['a', 1.5], ['b', 1234567], ['c', 55555], ['d', 0]],
      total: null,
      notes: [],
    };
    const content = readPdf(await writePdf(t));
    // Cents only on a small amount with a fraction; a zero is "0".
    expect(content.pages[0]!.lines).toEqual(expect.arrayContaining(['1.50', '1,234,567', '55,555', '0']));
    // Widths of the strings in Helvetica 8 pt (AFM): digits 556, comma and period 278; x + width is constant.
    const stream = content.pages[0]!.content;
    const xOf = (s: string) => Number(new RegExp(`1 0 0 1 ([\\d.]+) [\\d.]+ Tm\\n/F\\d 8 Tf\\n\\[<${Buffer.from(s, 'latin1').toString('hex')}>`).exec(stream)![1]);
    const w = (s: string) => ([...s].reduce((a, c) => a + (/\d/.test(c) ? 556 : 278), 0) * 8) / 1000;
    const ends = ['1.50', '1,234,567', '55,555', '0'].map((s) => xOf(s) + w(s));
    expect(Math.max(...ends) - Math.min(...ends)).toBeLessThan(0.01);
  });

  it('paginates long tables with the header on every page and page x of y in every footer', async () => {
    const many: MeasuresResult = { ...result, rows: Array.from({ length: 200 }, (_, i) => ({ ...result.rows[0]!, origin: `C${i}` })) };
    const pdf = readPdf(await writePdf(reportTable(many, { title: 'Long', ranBy: 'x', ranAt: 'y' })));
    const n = pdf.pages.length;
    expect(n).toBeGreaterThan(3);
    pdf.pages.forEach((p, i) => {
      expect(p.lines.filter((l) => l === 'Port or office')).toHaveLength(1);
      expect(p.lines).toContain(`page ${i + 1} of ${n}`);
    });
    // Every row printed once, in order.
    const origins = pdf.pages.flatMap((p) => p.lines.filter((l) => /^C\d+$/.test(l)));
    expect(origins).toEqual(Array.from({ length: 200 }, (_, i) => `C${i}`));
  });

  it('is portrait for few columns and landscape for many', async () => {
    const narrow = readPdf(await writePdf(reportTable(result, { title: 'Narrow', columns: ['port', 'import-value'], ranBy: 'x', ranAt: 'y' })));
    expect(narrow.pages[0]!.landscape).toBe(false);
    const wide = readPdf(await writePdf(table));
    expect(wide.pages[0]!.landscape).toBe(true);
  });
});
