/**
 * CSV export (RFC 4180) of a report table.
 *
 * Invariants:
 * - Data only: one header line, the rows, then the total row, so any CSV reader loads it as a table (title
 *   and notes are in the XLSX and PDF forms). Numbers are written raw (full precision).
 * - CSV injection: a text cell starting with =, +, -, @, tab or carriage return is prefixed with a single
 *   quote, so a spreadsheet never evaluates a value as a formula (OWASP). Numbers are never prefixed.
 */
import type { ReportTableData, TableValue } from './report-table.ts';

function text(v: TableValue): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function writeCsv(t: ReportTableData): Buffer {
  const lines = [
    t.columns.map((c) => text(c.label)).join(','),
    ...t.rows.map((r) => r.map(text).join(',')),
    ...(t.total ? [t.total.map(text).join(',')] : []),
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}
