/**
 * The detectors a run can use, by id. Adding a detector is one line here plus its module.
 */
import type { Detector } from './detector.ts';
import { mirrorGap } from './mirror-gap.ts';
import { mirrorQuantity } from './mirror-quantity.ts';
import { priceIqr } from './price-iqr.ts';
import { priceRobustZ } from './price-robust-z.ts';
import { valuePerKg } from './value-per-kg.ts';
import { phantomShipment } from './phantom-shipment.ts';
import { routing } from './routing.ts';
import { partySurge } from './party-surge.ts';
import { partyNewLine } from './party-new-line.ts';
import { benford } from './benford.ts';
import { roundValues } from './round-values.ts';
import { paymentMismatch } from './payment-mismatch.ts';
import { learnedRisk } from './learned-risk.ts';
import { circularTrade } from './circular-trade.ts';
import { watchlistHit } from './watchlist-hit.ts';

export const DETECTORS: readonly Detector[] = [priceIqr, priceRobustZ, valuePerKg, phantomShipment, mirrorGap, mirrorQuantity, routing, partySurge, partyNewLine, benford, roundValues, paymentMismatch, circularTrade, learnedRisk, watchlistHit];

export function detectorById(id: string): Detector | undefined {
  return DETECTORS.find((d) => d.id === id);
}
