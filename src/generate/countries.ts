// Trading partners of the single reporter (US). Weights are shares of declaration lines, not of value:
// they are shaped after the rough ranking of US partners so that a few origins (CN, MX, CA) dominate, which
// is what makes hs6 x origin price groups large enough for the price detectors.

export type Region = 'asia' | 'europe' | 'americas' | 'mideast' | 'africa' | 'oceania' | 'domestic';

export interface Country {
  code: string;
  importWeight: number;
  exportWeight: number;
  region: Region;
  /** Multiplies every unit price from this origin: cheap-labour origins below 1, high-cost above. */
  priceLevel: number;
  /** The entrepot through which this origin's sea freight is naturally transshipped, if any. */
  hub: string | null;
}

const row = (
  code: string,
  importWeight: number,
  exportWeight: number,
  region: Region,
  priceLevel: number,
  hub: string | null = null,
): Country => ({ code, importWeight, exportWeight, region, priceLevel, hub });

export const REPORTER = 'US';

export const COUNTRIES: readonly Country[] = [
  row('US', 0, 0, 'domestic', 1.05),
  row('CN', 24, 6, 'asia', 0.85, 'HK'),
  row('MX', 12, 15, 'americas', 0.9),
  row('CA', 10, 17, 'americas', 1.05),
  row('DE', 5, 4, 'europe', 1.2, 'NL'),
  row('JP', 5, 4.5, 'asia', 1.15),
  row('KR', 3.5, 3.5, 'asia', 1.05),
  row('VN', 4.5, 1, 'asia', 0.85, 'SG'),
  row('IN', 3.5, 2, 'asia', 0.85, 'AE'),
  row('TW', 2.5, 2, 'asia', 1.0),
  row('GB', 2.5, 4, 'europe', 1.15),
  row('IT', 2.5, 1.5, 'europe', 1.15),
  row('FR', 2, 2, 'europe', 1.15),
  row('IE', 1.5, 0.8, 'europe', 1.15),
  row('CH', 1.5, 1, 'europe', 1.2),
  row('MY', 1.5, 0.8, 'asia', 0.9, 'SG'),
  row('TH', 2, 0.8, 'asia', 0.9, 'SG'),
  row('BR', 1, 2.5, 'americas', 0.95),
  row('NL', 1, 3.5, 'europe', 1.15),
  row('SG', 0.8, 1.5, 'asia', 1.05),
  row('IL', 0.6, 1, 'mideast', 1.1),
  row('ID', 1, 0.5, 'asia', 0.85, 'SG'),
  row('PH', 0.6, 0.6, 'asia', 0.85),
  row('BD', 0.8, 0.1, 'asia', 0.8, 'SG'),
  row('CO', 0.6, 1.2, 'americas', 0.9, 'PA'),
  row('CL', 0.5, 0.9, 'americas', 0.95, 'PA'),
  row('PE', 0.4, 0.6, 'americas', 0.9, 'PA'),
  row('EC', 0.4, 0.4, 'americas', 0.9, 'PA'),
  row('TR', 0.7, 0.6, 'europe', 0.9),
  row('ES', 0.8, 0.9, 'europe', 1.05),
  row('BE', 0.6, 1.5, 'europe', 1.15),
  row('AU', 0.5, 1.5, 'oceania', 1.1),
  row('SA', 0.4, 0.8, 'mideast', 1.0),
  row('AE', 0.3, 1.5, 'mideast', 1.0),
  row('HK', 0.5, 1.8, 'asia', 1.0),
  row('PK', 0.3, 0.2, 'asia', 0.8, 'AE'),
  row('KH', 0.5, 0.05, 'asia', 0.8),
  row('ZA', 0.3, 0.4, 'africa', 0.95),
  row('AR', 0.3, 0.5, 'americas', 0.95),
  row('PL', 0.4, 0.4, 'europe', 1.0),
  row('SE', 0.5, 0.4, 'europe', 1.15),
  row('AT', 0.4, 0.3, 'europe', 1.15),
  row('DK', 0.3, 0.3, 'europe', 1.15),
  row('CR', 0.3, 0.5, 'americas', 0.95),
  row('DO', 0.3, 0.8, 'americas', 0.9),
  row('GT', 0.3, 0.6, 'americas', 0.85),
  row('HN', 0.3, 0.5, 'americas', 0.85),
  row('NZ', 0.2, 0.3, 'oceania', 1.1),
  row('NG', 0.1, 0.3, 'africa', 0.9),
  row('EG', 0.1, 0.4, 'africa', 0.9),
  row('PT', 0.2, 0.2, 'europe', 1.0),
  row('PA', 0.05, 0.8, 'americas', 0.95),
];

/**
 * Entrepots and free-trade-zone jurisdictions used only by injected `routing` anomalies. Natural
 * transshipment uses each origin's own `hub`, so an origin routed through any other entry of this list
 * is, by construction, a route that never occurs in the clean data.
 */
export const ENTREPOTS: readonly string[] = ['AE', 'HK', 'SG', 'PA', 'NL', 'CY', 'MT', 'LB', 'UY'];

/** Third countries used by `payment-mismatch` anomalies (bank accounts away from the trade route). */
export const PAYMENT_HAVENS: readonly string[] = ['CY', 'PA', 'VG', 'AE', 'MT', 'BZ', 'SC', 'LV'];

/**
 * Chapter-specific supplier countries: the multiplier applies to the country's import weight when a
 * supplier of that chapter is created, so fish comes from VN/CL/EC, gold from CH/PE, cars from JP/DE/MX.
 */
export const CHAPTER_COUNTRY_BOOST: Readonly<Record<number, Readonly<Record<string, number>>>> = {
  3: { VN: 4, CL: 5, CA: 3, IN: 4, EC: 5, ID: 4, TH: 3 },
  8: { MX: 5, GT: 4, CR: 4, CL: 4, PE: 4, EC: 4 },
  9: { BR: 6, CO: 6, VN: 4, IN: 3, GT: 3, HN: 3 },
  22: { MX: 4, FR: 5, IT: 5, GB: 3, IE: 3 },
  27: { CA: 6, MX: 3, SA: 6, CO: 3, NG: 4 },
  30: { IE: 8, CH: 6, DE: 3, IN: 3, IT: 2 },
  44: { CA: 6, BR: 2, CL: 2 },
  61: { VN: 4, BD: 6, KH: 6, IN: 2, ID: 2, HN: 4, GT: 3 },
  62: { VN: 4, BD: 6, KH: 5, IN: 3, ID: 2, HN: 3, GT: 3 },
  64: { VN: 5, ID: 3, IT: 3, BR: 2 },
  71: { CH: 8, MX: 3, PE: 5, CO: 4, IN: 4, AE: 3, IL: 3 },
  72: { CA: 3, MX: 2, BR: 4, KR: 3, JP: 2, DE: 2, TR: 4 },
  73: { CA: 2, MX: 2, KR: 2, TR: 2, IN: 2 },
  76: { CA: 6, AE: 3, IN: 2 },
  87: { JP: 4, DE: 3, MX: 3, KR: 3, CA: 2 },
  88: { FR: 6, CA: 4, GB: 3, DE: 2, BR: 2 },
  90: { DE: 2, JP: 2, IE: 3, CH: 3, MX: 2 },
  94: { VN: 3, MY: 2 },
};
