/**
 * Evidence families: detectors that read the same signal count once in the combined ranking.
 *
 * Invariants:
 * - price-iqr, price-robust-z, value-per-kg and phantom-shipment all judge the line's price against what its
 *   goods usually cost (per unit, per kilogram, or for no kilograms at all): when one fires on a natural right
 *   tail the others tend to fire too, so counting them as independent votes turns one weak signal into a strong
 *   one. They form the family 'unit-price', whose evidence is the strongest of its members.
 * - Every other detector is a family of its own, named by its id (a detector added later is never silently
 *   merged with another).
 * - Pure and IO-free; ids are fixed text from this file.
 */

export const UNIT_PRICE_FAMILY = 'unit-price';
export const LEARNED_RISK = 'learned-risk';

const FAMILY_OF: Readonly<Record<string, string>> = {
  'price-iqr': UNIT_PRICE_FAMILY,
  'price-robust-z': UNIT_PRICE_FAMILY,
  'value-per-kg': UNIT_PRICE_FAMILY,
  'phantom-shipment': UNIT_PRICE_FAMILY,
};

/** [detector, family] for every detector that shares a family, for SQL CASE expressions. */
export const FAMILY_PAIRS: readonly (readonly [string, string])[] = Object.entries(FAMILY_OF);

/** The family a detector's evidence counts in. */
export function familyOf(detector: string): string {
  return FAMILY_OF[detector] ?? detector;
}

/** Detectors grouped into families (only families with more than one member), for documentation and output. */
export function familyMembers(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [d, f] of Object.entries(FAMILY_OF)) (out[f] ??= []).push(d);
  return out;
}
