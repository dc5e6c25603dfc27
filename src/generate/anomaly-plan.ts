// How many anomalies of each detector type a run injects. `anomalyRate` budgets the line-level kinds
// (share of lines); group-level kinds (parties, mirror cells, cycles) scale with the same budget but
// with floors, so even a 20,000-line run carries at least one of every type for the detector tests.
import { PLANTED_HITS } from './watchlist.ts';

export const DETECTOR_IDS = [
  'price-iqr',
  'price-robust-z',
  'value-per-kg',
  'mirror-gap',
  'mirror-quantity',
  'routing',
  'party-new-line',
  'party-surge',
  'benford',
  'round-values',
  'payment-mismatch',
  'circular-trade',
  'watchlist-hit',
] as const;

export type DetectorId = (typeof DETECTOR_IDS)[number];

/** Targets per detector; `circular-trade` counts cycles (each labels three lines). */
export type AnomalyPlan = Record<DetectorId, number>;

const clamp = (value: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(value)));

export function planAnomalies(rows: number, anomalyRate: number): AnomalyPlan {
  const budget = rows * anomalyRate;
  if (budget <= 0) {
    return Object.fromEntries(DETECTOR_IDS.map((id) => [id, 0])) as AnomalyPlan;
  }
  return {
    'price-iqr': Math.max(3, Math.round(0.24 * budget)),
    'price-robust-z': Math.max(2, Math.round(0.1 * budget)),
    'value-per-kg': Math.max(3, Math.round(0.14 * budget)),
    routing: Math.max(2, Math.round(0.08 * budget)),
    'party-new-line': Math.max(2, Math.round(0.05 * budget)),
    'payment-mismatch': Math.max(5, Math.round(0.1 * budget)),
    'circular-trade': clamp(budget / 150, 1, 300),
    benford: clamp(budget / 400, 1, 60),
    'round-values': clamp(budget / 300, 1, 100),
    'party-surge': clamp(budget / 300, 1, 100),
    'mirror-gap': clamp(budget / 100, 2, 300),
    'mirror-quantity': clamp(budget / 100, 2, 300),
    'watchlist-hit': PLANTED_HITS.length,
  };
}
