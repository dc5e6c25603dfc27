/**
 * Quality floor on the hand-labelled pairs in test/fixtures/screening/pairs.csv (persons, companies,
 * vessels; reversed names, "LAST, First", abbreviations, short names, transliterations, diacritics,
 * company forms, joined forms, and non-matches sharing common words) at the default threshold.
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { readPairsFile } from './pairs-file.ts';
import { compareNames } from './screen-name.ts';
import { DEFAULT_THRESHOLD } from './match-score.ts';

describe('labelled pairs at the default threshold', () => {
  it('precision, recall and F1 stay at or above the floor', async () => {
    const pairs = await readPairsFile(resolve('test/fixtures/screening/pairs.csv'));
    expect(pairs.length).toBeGreaterThanOrEqual(150);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const p of pairs) {
      const r = compareNames(p.name_a, p.name_b, { type: p.type });
      if (r.match && p.label === 1) tp++;
      else if (r.match) fp++;
      else if (p.label === 1) fn++;
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    const f1 = (2 * precision * recall) / (precision + recall);
    console.log(`screening pairs: n=${pairs.length} threshold=${DEFAULT_THRESHOLD} precision=${precision.toFixed(3)} recall=${recall.toFixed(3)} f1=${f1.toFixed(3)} (tp=${tp} fp=${fp} fn=${fn})`);
    expect(precision).toBeGreaterThanOrEqual(0.98);
    expect(recall).toBeGreaterThanOrEqual(0.98);
    expect(f1).toBeGreaterThanOrEqual(0.98);
  });
});
