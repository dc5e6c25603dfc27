// The web app's pure formatting and axis helpers (no DOM): p-values as people write them, shares that never
// read as 0 %, compact figures, and calendar axes whose missing periods are gaps rather than skipped.
import { describe, expect, it } from 'vitest';
import { formatCompact, formatMoney, formatP, formatPercent, formatValue } from '../web/src/format/number-format.ts';
import { fillPeriods, grainOf, periodLabel } from '../web/src/charts/periods.ts';

describe('number formatting', () => {
  it('writes p-values as a statistician would', () => {
    expect(formatP(2.8539937422701817e-40)).toBe('< 1e-10');
    expect(formatP(2.9e-5)).toBe('2.9e-5');
    expect(formatP(0.0123)).toBe('0.012');
    expect(formatP(0.5)).toBe('0.500');
  });
  it('writes money to the cent, shares and compact figures for people', () => {
    expect(formatMoney(2256783.2499999995)).toBe('2,256,783.25 USD');
    expect(formatValue(17218832565.95, 'USD')).toBe('17,218,832,565.95');
    expect(formatCompact(17218832565.95)).toBe('17.2B');
    expect(formatCompact(4512)).toBe('4,512');
    expect(formatPercent(0.0015)).toBe('0.15%');
    expect(formatPercent(0.25)).toBe('25%');
    expect(formatPercent(null)).toBe('–');
  });
});

describe('calendar axes', () => {
  it('fills every missing month, quarter or year between the first and the last', () => {
    expect(fillPeriods(['2024-01', '2024-04'], 'month')).toEqual(['2024-01', '2024-02', '2024-03', '2024-04']);
    expect(fillPeriods(['2023-Q4', '2024-Q2'], 'quarter')).toEqual(['2023-Q4', '2024-Q1', '2024-Q2']);
    expect(fillPeriods(['2021', '2023'], 'year')).toEqual(['2021', '2022', '2023']);
    expect(fillPeriods(['2023-12', '2024-01'], 'month')).toEqual(['2023-12', '2024-01']);
  });
  it('reads the grain from the labels and a date as its month', () => {
    expect(grainOf(['2024-Q1'])).toBe('quarter');
    expect(grainOf(['2024'])).toBe('year');
    expect(grainOf(['2024-03'])).toBe('month');
    expect(periodLabel('2024-03-01', 'month')).toBe('2024-03');
  });
});
