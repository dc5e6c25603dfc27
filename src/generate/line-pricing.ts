// How a line's numbers hang together, shared by the clean generator and every anomaly that rewrites a
// line: unit price = reference price of hs6 x origin times bounded noise, quantity rounded to its unit,
// net mass from quantity, value = price x quantity in cents. An anomaly that must keep the unit price
// normal (benford, surge, routing, new-line) rescales quantity and mass instead of the price.

/**
 * Half-width of the uniform log-price noise inside an hs6 x origin group: prices spread over x0.74 to
 * x1.35 of the reference, while the group's Tukey fences (k = 1.5) fall near x0.41 and x1.61.
 */
export const PRICE_NOISE = 0.3;

/** The clean unit price of line `i` for a reference price `ref`; the same draw is reused on rewrites. */
export function linePriceSql(i: string, ref: string): string {
  return `(${ref} * exp(${PRICE_NOISE} * sym(${i}, 'price-noise')))`;
}

/** Quantity for a raw amount: whole units for pieces and litres, hundredths otherwise; never zero. */
export function quantitySql(raw: string, unit: string): string {
  return `(CASE WHEN ${unit} IN ('NO', 'L') THEN greatest(1, round(${raw})) ELSE greatest(0.01, round(${raw}, 2)) END)`;
}

/** Net mass of a fresh quantity; never zero, so a zero mass is always an injected phantom shipment. */
export function massSql(i: string, quantity: string, unit: string, kgPerUnit: string): string {
  return `(CASE WHEN ${unit} = 'KG' THEN ${quantity}
    ELSE greatest(0.001, round(${quantity} * ${kgPerUnit} * exp(0.05 * tri(${i}, 'mass-noise')), 3)) END)`;
}

/** Net mass after a quantity rescale from `oldQty` to `newQty`. */
export function rescaledMassSql(mass: string, oldQty: string, newQty: string, unit: string): string {
  return `(CASE WHEN ${unit} = 'KG' THEN ${newQty}
    ELSE greatest(0.001, round(${mass}::DOUBLE * ${newQty}::DOUBLE / ${oldQty}::DOUBLE, 3)) END)`;
}

export function valueSql(price: string, quantity: string): string {
  return `greatest(0.01, round(${price} * ${quantity}, 2))`;
}
