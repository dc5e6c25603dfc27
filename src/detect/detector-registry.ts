/**
 * The detectors a run can use, by id. Adding a detector is one line here plus its module.
 */
import type { Detector } from './detector.ts';
import { mirrorGap } from './mirror-gap.ts';
import { mirrorQuantity } from './mirror-quantity.ts';
import { priceIqr } from './price-iqr.ts';
import { priceRobustZ } from './price-robust-z.ts';
import { valuePerKg } from './value-per-kg.ts';

export const DETECTORS: readonly Detector[] = [priceIqr, priceRobustZ, valuePerKg, mirrorGap, mirrorQuantity];

export function detectorById(id: string): Detector | undefined {
  return DETECTORS.find((d) => d.id === id);
}
