/**
 * Linear scales and "nice" tick values for the SVG charts. Pure functions, no DOM.
 */
export interface Scale {
  (v: number): number;
  ticks: number[];
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const n = raw / mag;
  return (n >= 5 ? 10 : n >= 2 ? 5 : n >= 1 ? 2 : 1) * mag;
}

/** Maps [d0, d1] to [r0, r1], with the domain widened to nice tick values. */
export function linearScale(d0: number, d1: number, r0: number, r1: number, tickCount = 5): Scale {
  if (!Number.isFinite(d0) || !Number.isFinite(d1)) [d0, d1] = [0, 1];
  if (d0 === d1) [d0, d1] = d0 === 0 ? [0, 1] : [Math.min(0, d0), Math.max(0, d1) || 1];
  const step = niceStep(d1 - d0, tickCount);
  const lo = Math.floor(d0 / step) * step;
  const hi = Math.ceil(d1 / step) * step;
  const f = ((v: number) => r0 + ((v - lo) / (hi - lo)) * (r1 - r0)) as Scale;
  f.ticks = [];
  for (let t = lo; t <= hi + step / 2; t += step) f.ticks.push(Number(t.toPrecision(12)));
  return f;
}

export const SERIES_COLOURS = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0e7490', '#4d7c0f', '#6b7280'];
