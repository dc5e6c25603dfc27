/**
 * price-iqr: abnormal unit price against its group's Tukey fences (Pak & Zdanowicz price filter).
 *
 * Invariants: unit price = value / quantity, or value / net mass when the line has no quantity; fences
 * [Q1 - k·IQR, Q3 + k·IQR] with k = 1.5 (Tukey) by default, k = 0 the strict inter-quartile filter, taken of
 * ln(price) by default (`scale=log`: x8 and /8 equally strong; `scale=linear` is the raw-price filter); groups
 * under `min_group` lines fall back to hs6 x flow (see tukey-fences.ts).
 */
import { z } from 'zod';
import { defineDetector } from './detector.ts';
import { UNIT_PRICE } from './priced-lines.ts';
import { FENCE_SCALES, fenceQuery } from './tukey-fences.ts';

export const fenceParams = z
  .object({
    k: z.number().min(0).max(100).default(1.5).describe('fence multiplier of the IQR: 1.5 Tukey (default), 0 strict inter-quartile filter'),
    min_group: z.number().int().min(4).max(1_000_000).default(8).describe('smallest group compared at hs6 x partner x flow; smaller groups fall back to hs6 x flow'),
    scale: z.enum(FENCE_SCALES).default('log').describe('log (default): fences on ln(price), so x8 and /8 are equally far out; linear: on the raw price (Pak & Zdanowicz)'),
    window_months: z.number().int().min(0).max(120).default(12).describe('rolling window: compare a line with its group in its calendar month and the 11 (N - 1) months before it; 0 compares with the whole period'),
  })
  .strict();

export const priceIqr = defineDetector({
  id: 'price-iqr',
  version: '3',
  summary: 'unit price outside the Tukey fences of its hs6 x partner x flow group',
  params: fenceParams,
  partitioned: true,
  build: (db, p, ctx) => fenceQuery(db, { basis: UNIT_PRICE, label: 'Unit price', k: p.k, scale: p.scale, minGroup: p.min_group, windowMonths: p.window_months, touched: ctx?.touched }),
});
