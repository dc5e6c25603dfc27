/**
 * CSV text of a result as the analyst sees it (loaded rows, visible columns), RFC 4180 quoting. Cells
 * that a spreadsheet would run as a formula (=, +, -, @ first) are prefixed with an apostrophe.
 */
export function toCsv(columns: readonly { id: string; label: string }[], rows: readonly Record<string, unknown>[]): string {
  const q = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    let s = typeof v === 'number' ? String(v) : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [columns.map((c) => q(c.id)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => q(r[c.id])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
