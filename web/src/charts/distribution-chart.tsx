/**
 * The comparison group of a price anomaly with the flagged value marked on it: the group's lines as a strip
 * of dots (one per line, read from the server with the detector's own group definition), and below it a box
 * plot of the detector's statistics (quartiles, median and fences, exactly as its evidence records them).
 *
 * Invariants: the box comes from the evidence, never from the dots, so the chart shows what the detector
 * compared with; the dots are the same group's lines, and the caption under the chart says how many and
 * which group, so the picture and the reason sentence describe the same lines. A wide spread (max/min over
 * 30, all positive) uses a log axis, said in the axis name. Whiskers reach the most extreme line within the
 * fences (Tukey), or the fences when the lines are not known.
 */
import { useMemo } from 'react';
import { formatCompact, formatNumber } from '../format/number-format.ts';
import { EChart, FLAG_COLOUR, plain, type ChartOption } from './echart.tsx';

export interface BoxStats {
  q1?: number | undefined;
  median?: number | undefined;
  q3?: number | undefined;
  lowerFence?: number | undefined;
  upperFence?: number | undefined;
}

/** A deterministic jitter in [0.15, 0.85] for the i-th dot (golden-ratio sequence), so redraws do not move dots. */
const jitter = (i: number) => 0.15 + (((i * 0.6180339887) % 1) * 0.7);

export function DistributionChart(p: {
  box: BoxStats;
  /** Robust-z detectors: the prices at ±threshold from the median (no quartiles). */
  bounds?: { lower?: number | undefined; upper?: number | undefined };
  observed: number;
  values?: readonly number[] | undefined;
  unitLabel: string;
  title: string;
}) {
  const values = useMemo(() => (p.values ?? []).filter((v) => Number.isFinite(v)), [p.values]);
  const { option, log, fenceLines } = useMemo(() => {
    const { q1, median, q3, lowerFence, upperFence } = p.box;
    const known = [q1, median, q3, lowerFence, upperFence, p.bounds?.lower, p.bounds?.upper, p.observed, ...values].filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const positive = known.filter((v) => v > 0);
    const lo = Math.min(...known);
    const hi = Math.max(...known);
    const log = positive.length === known.length && lo > 0 && hi / lo > 30;
    const pad = log ? 1.25 : 0;
    const span = hi - lo || Math.abs(hi) || 1;
    const min = log ? lo / pad : Math.min(0, lo - span * 0.03);
    const max = log ? hi * pad : hi + span * 0.05;
    const inside = values.filter((v) => (lowerFence === undefined || v >= lowerFence) && (upperFence === undefined || v <= upperFence));
    const hasBox = q1 !== undefined && q3 !== undefined && median !== undefined;
    const whiskerLo = inside.length ? Math.min(...inside) : (lowerFence !== undefined ? Math.max(lowerFence, min) : q1);
    const whiskerHi = inside.length ? Math.max(...inside) : (upperFence ?? q3);
    const xAxis = (index: number, show: boolean) => ({
      gridIndex: index,
      type: log ? 'log' : 'value',
      min,
      max,
      logBase: 10,
      axisLabel: { show, formatter: (v: number) => formatCompact(v), hideOverlap: true },
      axisTick: { show },
      axisLine: { show: true, lineStyle: { color: '#9ca3af' } },
      splitLine: { show: index === 0, lineStyle: { color: '#f3f4f6' } },
      name: show ? `${p.unitLabel}${log ? ' (log scale)' : ''}` : undefined,
      nameLocation: 'middle',
      nameGap: 24,
    });
    // The flagged label sits on the side of its line with more room, so it is never cut at the chart's edge.
    const tf = (v: number) => (log ? Math.log10(v) : v);
    const rightSide = (tf(p.observed) - tf(min)) / (tf(max) - tf(min) || 1) > 0.6;
    const flagLabel = { formatter: `flagged ${formatNumber(p.observed)}`, color: FLAG_COLOUR, fontWeight: 'bold' as const, position: 'insideEndTop' as const, rotate: 0, align: rightSide ? ('right' as const) : ('left' as const), distance: 4 };
    const fenceLines = [
      ...(lowerFence !== undefined && lowerFence > min ? [{ xAxis: lowerFence, name: 'lower fence' }] : []),
      ...(upperFence !== undefined ? [{ xAxis: upperFence, name: 'upper fence' }] : []),
      ...(p.bounds?.lower !== undefined ? [{ xAxis: p.bounds.lower, name: 'normal bound' }] : []),
      ...(p.bounds?.upper !== undefined ? [{ xAxis: p.bounds.upper, name: 'normal bound' }] : []),
      ...(!hasBox && median !== undefined ? [{ xAxis: median, name: 'median' }] : []),
    ];
    const option: ChartOption = {
      grid: [
        { left: 12, right: 18, top: 24, height: values.length ? 84 : 0 },
        { left: 12, right: 18, top: values.length ? 118 : 30, height: 40 },
      ],
      tooltip: {
        trigger: 'item',
        formatter: (x: unknown) => {
          const i = x as { seriesName: string; value: unknown };
          if (i.seriesName === 'box') return `Q1 ${formatNumber(q1!)}  median ${formatNumber(median!)}  Q3 ${formatNumber(q3!)}\nwhiskers ${formatNumber(whiskerLo!)} to ${formatNumber(whiskerHi!)}`;
          if (i.seriesName === 'flagged') return `flagged line: ${formatNumber(p.observed)} ${plain(p.unitLabel)}`;
          const v = Array.isArray(i.value) ? (i.value[0] as number) : (i.value as number);
          return `a line of the group: ${formatNumber(v)} ${plain(p.unitLabel)}`;
        },
      },
      xAxis: [xAxis(0, false), xAxis(1, true)],
      yAxis: [
        { gridIndex: 0, type: 'value', min: 0, max: 1, show: false },
        { gridIndex: 1, type: 'category', data: ['box'], show: false },
      ],
      series: [
        {
          name: 'lines',
          type: 'scatter',
          xAxisIndex: 0,
          yAxisIndex: 0,
          data: values.map((v, i) => [v, jitter(i)]),
          symbolSize: values.length > 1000 ? 4 : 7,
          itemStyle: { color: '#1d4ed8', opacity: values.length > 1000 ? 0.35 : 0.6 },
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { color: FLAG_COLOUR, type: 'dashed', width: 2 },
            label: flagLabel,
            data: values.length ? [{ xAxis: p.observed }] : [],
          },
        },
        {
          name: 'flagged',
          type: 'scatter',
          xAxisIndex: 0,
          yAxisIndex: 0,
          data: values.length ? [[p.observed, 0.5]] : [],
          symbolSize: 12,
          itemStyle: { color: FLAG_COLOUR, borderColor: '#fff', borderWidth: 1 },
          z: 5,
        },
        {
          name: 'box',
          type: 'boxplot',
          xAxisIndex: 1,
          yAxisIndex: 1,
          data: hasBox ? [[whiskerLo, q1, median, q3, whiskerHi]] : [],
          itemStyle: { color: '#e5e7eb', borderColor: '#374151' },
          boxWidth: [18, 30],
          markLine: {
            silent: true,
            symbol: 'none',
            data: [
              // Fences and bounds are named in the legend line under the chart, not on it: their labels collide.
              ...fenceLines.map((f) => ({ ...f, lineStyle: { color: '#6b7280', type: 'dotted', width: 1 }, label: { show: false } })),
              { xAxis: p.observed, name: 'flagged', lineStyle: { color: FLAG_COLOUR, type: 'dashed', width: 2 }, label: values.length ? { show: false } : flagLabel },
            ],
          },
        },
      ],
    };
    return { option, log, fenceLines };
  }, [p.box, p.bounds, p.observed, values, p.unitLabel]);

  return (
    <>
    <EChart
      option={option}
      height={values.length ? 210 : 120}
      label={`${p.title}${log ? ' (log scale)' : ''}`}
      data-testid="distribution-chart"
      data-group-lines={values.length}
      data-observed={p.observed}
    />
      <p className="muted small chart-legend">
        <span className="legend-dot flag" aria-hidden="true" /> flagged line {formatNumber(p.observed)}
        {values.length > 0 && (
          <>
            {' · '}
            <span className="legend-dot" aria-hidden="true" /> the group&apos;s lines
          </>
        )}
        {fenceLines.length > 0 && ` · dotted: ${fenceLines.map((f) => `${f.name} ${formatNumber(f.xAxis)}`).join(', ')}`}
        {p.box.q1 !== undefined && ` · box: Q1 ${formatNumber(p.box.q1)}, median ${formatNumber(p.box.median ?? NaN)}, Q3 ${formatNumber(p.box.q3 ?? NaN)}`}
      </p>
    </>
  );
}
