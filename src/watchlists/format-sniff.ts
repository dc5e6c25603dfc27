/**
 * A guess at which list format a file is, used only to word the hint of an error ("this looks like a UN
 * consolidated list: use --format un-xml"). Loading never switches format on a guess: the user states it.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export type ListFormat = 'ofac-csv' | 'ofac-xml' | 'un-xml' | 'ftm' | 'csv';
export const LIST_FORMATS: readonly ListFormat[] = ['ofac-csv', 'ofac-xml', 'un-xml', 'ftm', 'csv'];

const FORMAT_NAMES: Readonly<Record<ListFormat, string>> = {
  'ofac-csv': 'an OFAC legacy CSV file (sdn.csv)',
  'ofac-xml': 'an OFAC SDN.XML file',
  'un-xml': 'a UN consolidated list XML file',
  ftm: 'FollowTheMoney JSON lines',
  csv: 'a simple list CSV with a header row',
};

export function sniffFormat(path: string): ListFormat | null {
  let head = '';
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(8192);
      const n = readSync(fd, buf, 0, buf.length, 0);
      head = buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  if (head.startsWith('<')) {
    if (/<([A-Za-z_][\w.-]*:)?sdnList\b/.test(head)) return 'ofac-xml';
    if (/<CONSOLIDATED_LIST\b/.test(head)) return 'un-xml';
    return null;
  }
  if (head.startsWith('{')) return 'ftm';
  const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
  if (/(^|,)"?list_id"?(,|$)/.test(firstLine) && /(^|,)"?entry_id"?(,|$)/.test(firstLine)) return 'csv';
  if (/^[0-9]+,/.test(firstLine)) return 'ofac-csv';
  return null;
}

/** The hint for a file that does not have the structure of `expected`. */
export function wrongFormatHint(path: string, expected: ListFormat): string {
  const guess = sniffFormat(path);
  if (guess && guess !== expected) return `The file looks like ${FORMAT_NAMES[guess]}: load it with --format ${guess}; nothing was stored`;
  return `--format ${expected} expects ${FORMAT_NAMES[expected]}; check the file and the --format option; nothing was stored`;
}
