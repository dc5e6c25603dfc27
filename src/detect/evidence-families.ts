/**
 * Evidence families: detectors that read the same signal count once in the combined ranking.
 *
 * Invariants:
 * - price-iqr, price-robust-z, value-per-kg and phantom-shipment all judge the line's price against what its
 *   goods usually cost (per unit, per kilogram, or for no kilograms at all): when one fires on a natural right
 *   tail the others tend to fire too, so counting them as independent votes turns one weak signal into a strong
 *   one. They form the family 'unit-price', whose evidence is the strongest of its members.
 * - Within 'unit-price', the detectors that compare a price with its group's (price-iqr, price-robust-z,
 *   value-per-kg) are calibrated together, by the size of the price factor they found: |ln(price / group
 *   median)|, the misinvoicing factor the line implies. Whether a price is anomalous at all is each detector's
 *   statistical rule (fences, robust z); how strong the evidence is is how far the price is from what the goods
 *   cost, in either direction (x8 and /8 alike). A rule that normalises by the group's spread alone ranks a
 *   grade x2.5 above the usual in a tight market over goods invoiced at x10 in a wide one; the money moved
 *   is in the factor. phantom-shipment (no mass: no finite factor) is calibrated by its own score and the
 *   family takes the stronger of the two.
 * - Every other detector is a family of its own, named by its id (a detector added later is never silently
 *   merged with another).
 * - Prior weights of the unsupervised ranking (PRIOR_WEIGHT): a family judged from the line's own declared
 *   numbers (unit-price), a model's prediction for the line (learned-risk) or a party's match against a watch
 *   list counts fully; a family that judges a line by a pattern of its party or its route (routing: a rare
 *   route; party-new-line: a chapter new to the party; circular-trade: goods going round the party graph) is
 *   an indicator, not evidence about this line's price or goods, and counts a quarter: its strongest line then
 *   weighs what a line in the top 5 % of a direct family weighs, so it corroborates more than it leads. Chosen
 *   on the evaluation generator's own data (bench/eval-ranking.ts, seed 11), never the demo generator; a
 *   trained combination (analyze --train) replaces these priors with fitted weights.
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

/** The detectors ranked together by their price factor, and the name of that joint ranking. */
export const PRICE_FACTOR_MEMBERS: readonly string[] = ['price-iqr', 'price-robust-z', 'value-per-kg'];
export const PRICE_FACTOR = 'unit-price:factor';

/** [detector, family] for every detector that shares a family, for SQL CASE expressions. */
export const FAMILY_PAIRS: readonly (readonly [string, string])[] = Object.entries(FAMILY_OF);

/** Prior weight of a family in the unsupervised ranking (1 unless named). */
export const PRIOR_WEIGHT: Readonly<Record<string, number>> = {
  routing: 0.25,
  'party-new-line': 0.25,
  'circular-trade': 0.25,
};

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
