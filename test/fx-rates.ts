/**
 * Test support: exchange rates read straight from the shipped H.10 file with plain JavaScript, so tests check
 * the store's USD numbers against a hand computation that shares no code with the conversion.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE_DIR } from '../src/reference/index.ts';

let table: Map<string, number> | null = null;

/** Units of the currency per US dollar in the month of `date` (YYYY-MM...), from the row for `country`. */
export function h10Rate(country: string, date: string): number | undefined {
  if (!table) {
    table = new Map();
    const lines = readFileSync(join(REFERENCE_DIR, 'fx-monthly-frb-h10.csv'), 'utf8').trim().split('\n').slice(1);
    for (const l of lines) {
      const [d, c, r] = l.split(',');
      table.set(`${c}|${d!.slice(0, 7)}`, Number(r));
    }
  }
  return table.get(`${country}|${date.slice(0, 7)}`);
}

/** What one row converts to: value / rate, rounded half away from zero to 4 decimals (store/money.ts). */
export function toUsd(value: number, rate: number): number {
  const x = value / rate;
  return Math.sign(x) * Math.round(Math.abs(x) * 1e4) / 1e4;
}

/** A sum of 4-decimal amounts, exact (in ten-thousandths, as integers) and returned as a number. */
export function exactSum(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + Math.round(x * 1e4), 0) / 1e4;
}
