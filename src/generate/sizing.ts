// How big each population is for a given number of lines. Pools grow with the data set so that party
// sizes keep the same skew at 20 thousand and at 10 million lines; the clamps keep tiny runs usable
// (every chapter needs a supplier) and huge runs from naming millions of parties.

export interface Sizing {
  rows: number;
  /** Declarations drawn before truncation to exactly `rows` lines (mean 2.05 lines each, plus slack). */
  declarations: number;
  usImporters: number;
  suppliers: number;
  usExporters: number;
  buyers: number;
  brokers: number;
}

const clamp = (value: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(value)));

export function sizingFor(rows: number): Sizing {
  return {
    rows,
    declarations: Math.ceil(rows / 2.05 * 1.06) + 64,
    usImporters: clamp(rows / 40, 60, 400_000),
    suppliers: clamp(rows / 25, 120, 600_000),
    usExporters: clamp(rows / 150, 40, 100_000),
    buyers: clamp(rows / 80, 80, 200_000),
    brokers: clamp(rows / 3000, 8, 2_000),
  };
}

/** Zipf-like exponents of the power transform (share of the top m of n is (m/n)^(1/p)). */
export const SKEW = {
  usImporters: 3.4,
  usExporters: 2.8,
  counterparty: 2.5,
  brokers: 2.0,
  slot: 1.2,
} as const;
