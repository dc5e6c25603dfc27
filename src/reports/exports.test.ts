import { describe, expect, it } from 'vitest';
import { inflateRawSync } from 'node:zlib';
import { SaxesParser } from 'saxes';
import type { MeasuresResult } from '../measures/index.ts';
import { crc32, reportTable, writeCsv, writePdf, writeXlsx, SUPPRESSED } from './index.ts';

/** Reads a ZIP by its central directory, checking every entry's CRC-32 and sizes. */
function readZip(buf: Buffer): Map<string, Buffer> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(eocd).toBeGreaterThan(0);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  expect(p + buf.readUInt32LE(eocd + 12)).toBe(eocd);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const packed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('ascii');
    expect(buf.readUInt32LE(local)).toBe(0x04034b50);
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = method === 8 ? inflateRawSync(buf.subarray(dataAt, dataAt + packed)) : buf.subarray(dataAt, dataAt + packed);
    expect([data.length, crc32(data)]).toEqual([size, crc]);
    out.set(name, data);
    p += 46 + nameLen + extra + comment;
  }
  return out;
}

/** Well-formedness check with a real XML parser; returns the text of every <t> and <v>, in order. */
function xmlTexts(xml: string): string[] {
  const parser = new SaxesParser();
  const texts: string[] = [];
  let inText = false;
  parser.on('opentag', (t) => (inText = t.name === 't' || t.name === 'v'));
  parser.on('closetag', () => (inText = false));
  parser.on('text', (s) => inText && texts.push(s));
  parser.write(xml).close();
  return texts;
}

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
    expect(lines[1]).toBe('USLAX,CN,2024,1234567.5,0.25,0.125,,');
    expect(lines[2]).toBe(`USLAX,"'=cmd|""/c calc""!A1",2024,suppressed,suppressed,suppressed,suppressed,`);
    expect(lines[3]).toBe('USNYC,Ünïcødé & <Co> 東京,2024,99.5,-0.5,0,,yes');
    expect(lines[4]).toBe('Total,,,2000000,,0.1,,');
  });
});

describe('XLSX', () => {
  it('is a valid OOXML package whose XML parses and holds every cell', () => {
    const parts = readZip(writeXlsx(table));
    expect([...parts.keys()].sort()).toEqual(['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']);
    for (const [, data] of parts) xmlTexts(data.toString('utf8'));
    expect(parts.get('[Content_Types].xml')!.toString()).toContain('/xl/worksheets/sheet1.xml');
    const sheet = parts.get('xl/worksheets/sheet1.xml')!.toString('utf8');
    const texts = xmlTexts(sheet);
    expect(texts[0]).toBe(table.title);
    expect(texts).toContain('=cmd|"/c calc"!A1'); // a string cell, never a formula
    expect(sheet).not.toContain('<f>');
    expect(texts).toContain('Ünïcødé & <Co> 東京');
    expect(texts).toContain('1234567.5');
    expect(texts.filter((x) => x === SUPPRESSED)).toHaveLength(4);
    // Every row number is unique and increasing, every cell reference sits in its row.
    const rows = [...sheet.matchAll(/<row r="(\d+)">(.*?)<\/row>/g)];
    expect(rows.map((r) => Number(r[1]))).toEqual([...rows.map((r) => Number(r[1]))].sort((a, b) => a - b));
    for (const r of rows) for (const c of r[2]!.matchAll(/<c r="([A-Z]+)(\d+)"/g)) expect(c[2]).toBe(r[1]);
    // Percent style on ratios and changes, thousands on money.
    expect(sheet).toMatch(/<c r="E\d+" s="3"><v>0.25<\/v>/);
    expect(sheet).toMatch(/<c r="D\d+" s="2"><v>1234567.5<\/v>/);
    expect(sheet).toMatch(/<c r="D\d+" s="4"><v>99.5<\/v>/);
  });
});

describe('PDF', () => {
  const checkPdf = (pdf: Buffer) => {
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-1.4\n')).toBe(true);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n%%EOF\s*$/.exec(text)![1]);
    expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
    const [, first, count] = /^xref\n(\d+) (\d+)\n/.exec(text.slice(startxref))!;
    expect(Number(first)).toBe(0);
    const entries = text.slice(startxref).split('\n').slice(2, 2 + Number(count));
    expect(entries[0]).toBe('0000000000 65535 f ');
    entries.slice(1).forEach((e, i) => {
      expect(e).toMatch(/^\d{10} 00000 n $/);
      const at = Number(e.slice(0, 10));
      expect(text.slice(at, at + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`);
    });
    expect(text).toContain(`/Size ${count}`);
    // Each stream's /Length is its exact byte length.
    for (const m of text.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
      const start = m.index! + m[0].length;
      expect(text.slice(start + Number(m[1]), start + Number(m[1]) + 10)).toBe('\nendstream');
    }
    return text;
  };
  it('has a valid xref table, exact stream lengths, escaped strings and WinAnsi text', () => {
    const text = checkPdf(writePdf(table));
    expect(text).toContain('/BaseFont /Helvetica');
    expect(text).toContain('(1,234,568) Tj');
    expect(text).toContain('(+25.0 %) Tj');
    expect(text).toContain('(suppressed) Tj');
    expect(text).toContain('=cmd|"/c calc"!A1'.slice(0, 6));
    expect(text).toContain('\\(inspected'); // parentheses escaped inside strings
    expect(text).toContain('page 1 of 1');
    expect(text).not.toContain('東京');
  });
  it('paginates long tables with the header on every page', () => {
    const many: MeasuresResult = { ...result, rows: Array.from({ length: 200 }, (_, i) => ({ ...result.rows[0]!, origin: `C${i}` })) };
    const text = checkPdf(writePdf(reportTable(many, { title: 'Long', ranBy: 'x', ranAt: 'y' })));
    const pages = Number(/\/Count (\d+)/.exec(text)![1]);
    expect(pages).toBeGreaterThan(3);
    expect(text.split('(Port or office) Tj').length - 1).toBe(pages);
    expect(text).toContain(`page ${pages} of ${pages}`);
  });
});
