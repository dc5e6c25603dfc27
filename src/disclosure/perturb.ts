/**
 * Consistent perturbation of aggregate-only results (access.md, "Across queries: consistent perturbation"),
 * pure and IO-free: given a cell's true value, its cell key (cell-key.ts) and, for sums, its largest
 * contributions, the value shown. Parameters and what they protect are documented in README.md beside this
 * module.
 *
 * Invariants:
 * - Deterministic: the noise is a function of (cell key, measure id, true value, contributions) only, so the
 *   same set of records always shows the same value for a measure, in every route, page, export and report.
 * - Each measure draws from its own stream of the cell key (the uniform for measure m and term j is a 32-bit
 *   mix of the key, m and j), so the noise of one measure says nothing about another's.
 * - Counts (lines, events, payments, flagged lines ...): additive integer noise from the perturbation table
 *   (ptable.ts, D = 5, V = 3); never negative; a zero stays zero.
 * - Distinct counts (importers, declarations ...): the same table, on their own stream.
 * - Sums (values, quantities, duty, penalties): multiplicative noise concentrated on the largest
 *   contributions (Giessing and Tent 2019, τ-Argus): x + m · Σ_j w_j · c_(j) · d_j over the three largest
 *   absolute contributions c_(j) of the cell's parties, weights w = (1, 1/2, 1/4), m = 0.05, and d_j drawn
 *   with |d_j| uniform in [0.5, 1.5) and a random sign. The first term alone moves the sum by 2.5 % to 7.5 % of
 *   its largest contribution, so the largest contributor cannot be read back to better than that, and a
 *   difference of two cells carries the noise of both.
 * - Anything else (rates, medians, averages): multiplicative noise x · (1 + 0.05 · d) with d as above.
 * - null stays null (a suppressed or empty measure).
 */
import { buildPTable, countNoise, type PTable, type PTableParams } from './ptable.ts';

export type PerturbationKind = 'count' | 'distinct' | 'sum' | 'scale';

export interface PerturbationParams {
  readonly counts: PTableParams;
  /** m: noise of a sum as a share of its contributions. */
  readonly sumMultiplier: number;
  /** w_j: weight of the j-th largest contribution; its length is the number of contributions used. */
  readonly sumWeights: readonly number[];
  /** Relative noise of rates, medians and other non-additive measures. */
  readonly scaleMultiplier: number;
}

export const DEFAULT_PERTURBATION: PerturbationParams = {
  counts: { maxNoise: 5, variance: 3 },
  sumMultiplier: 0.05,
  sumWeights: [1, 0.5, 0.25],
  scaleMultiplier: 0.05,
};

/** How a measure is perturbed, from its declared unit and additivity (so new measures are covered by what they are). */
export function perturbationKind(m: { unit: string; additive?: boolean }): PerturbationKind {
  if (m.unit === 'count') return m.additive ? 'count' : 'distinct';
  return m.additive ? 'sum' : 'scale';
}

/** 32-bit finaliser (MurmurHash3 fmix32): a bijection that spreads every input bit over the output. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a of a measure id: the salt of its stream. */
function salt(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The j-th uniform in [0, 1) of a measure's stream of a cell key. For a fixed measure and j it is a bijection of the key. */
export function uniform(cellKey: number, measureId: string, j: number): number {
  return fmix32(fmix32((cellKey >>> 0) ^ salt(measureId)) ^ Math.imul(j + 1, 0x9e3779b9)) / 4_294_967_296;
}

/** A draw with |d| uniform in [0.5, 1.5) and a random sign, from one uniform (sign from the lower half). */
function signedDraw(u: number): number {
  return u < 0.5 ? -(0.5 + 2 * u) : 0.5 + 2 * (u - 0.5);
}

export interface Perturber {
  readonly params: PerturbationParams;
  /**
   * The value shown for a cell's measure. `contributions`: for sums, the largest absolute contributions of
   * the cell's parties, largest first (fewer than the weights is fine).
   */
  value(kind: PerturbationKind, measureId: string, value: number | null, cellKey: number, contributions?: readonly number[]): number | null;
}

export function perturber(params: PerturbationParams = DEFAULT_PERTURBATION): Perturber {
  const table: PTable = buildPTable(params.counts);
  return {
    params,
    value(kind, measureId, value, cellKey, contributions = []) {
      if (value === null || value === undefined || !Number.isFinite(value)) return value ?? null;
      switch (kind) {
        case 'count':
        case 'distinct': {
          const n = Math.round(value);
          return n + countNoise(table, n, uniform(cellKey, measureId, 0));
        }
        case 'sum': {
          // Without contributions the sum itself stands for its largest one (never a sum left unperturbed).
          const tops = (contributions.length ? [...contributions] : [value]).map(Math.abs).sort((a, b) => b - a);
          let noise = 0;
          params.sumWeights.forEach((w, j) => {
            if (j < tops.length) noise += params.sumMultiplier * w * tops[j]! * signedDraw(uniform(cellKey, measureId, j));
          });
          return Math.round((value + noise) * 100) / 100;
        }
        case 'scale':
          return value * (1 + params.scaleMultiplier * signedDraw(uniform(cellKey, measureId, 0)));
      }
    },
  };
}
