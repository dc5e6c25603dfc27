/**
 * Terminal output: aligned tables for people, JSON lines for machines. Numbers are right-aligned and
 * grouped; long text is cut with an ellipsis so a table stays one row per line.
 */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 2 });
  }
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.length > 48 ? `${s.slice(0, 47)}…` : s;
}

export function renderTable(columns: readonly string[], objects: readonly object[]): string {
  const rows = objects as readonly Record<string, unknown>[];
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c])));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number'));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: readonly string[]) => vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ');
  return [line(columns), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function printJsonLines(rows: readonly unknown[], out: NodeJS.WritableStream = process.stdout): void {
  for (const r of rows) out.write(`${JSON.stringify(r)}\n`);
}
