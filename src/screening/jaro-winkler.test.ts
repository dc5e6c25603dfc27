import { describe, expect, it } from 'vitest';
import { jaro, jaroWinkler } from './jaro-winkler.ts';

describe('Jaro–Winkler', () => {
  it('agrees with the published examples', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 3);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.813, 3);
    expect(jaro('MARTHA', 'MARHTA')).toBeCloseTo(0.944, 3);
  });
  it('is 1 for equal strings, 0 for nothing in common or an empty side, and symmetric', () => {
    expect(jaroWinkler('ACME', 'ACME')).toBe(1);
    expect(jaroWinkler('ABC', 'XYZ')).toBe(0);
    expect(jaroWinkler('', 'ABC')).toBe(0);
    for (const [a, b] of [['KARIMOV', 'KARIMOVA'], ['SEPAH', 'SADERAT'], ['A', 'AB']] as const) {
      expect(jaroWinkler(a, b)).toBeCloseTo(jaroWinkler(b, a), 12);
      expect(jaroWinkler(a, b)).toBeGreaterThanOrEqual(0);
      expect(jaroWinkler(a, b)).toBeLessThanOrEqual(1);
    }
  });
});
