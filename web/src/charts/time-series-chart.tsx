/**
 * Values over calendar periods (months, quarters, years) as lines on a continuous calendar axis: a period
 * without data is a gap in the line, incomplete periods are shaded and say so, a log scale is one prop
 * away (values at or below zero are then left out, and the axis says how many). Tooltips list every series
 * of the period hovered with its full value.
 */
import { useMemo } from 'react';
import { formatCompact, formatValue } from '../format/number-format.ts';
import { EChart, plain, type ChartOption } from './echart.tsx';
import { fillPeriods, grainOf, type Grain } from './periods.ts';

export interface Series {
  name: string;
  /** Values by period label (absent or null: no data in that period). */
  values: ReadonlyMap<string, number | null>;
}

export function TimeSeriesChart(p: {
  series: readonly Series[];
  title: string;
  unit?: string | undefined;
  grain?: Grain;
  height?: number;
  log?: boolean;
  incomplete?: ReadonlySet<string>;
  testId?: string;
}) {
  const { option, periods, dropped } = useMemo(() => {
    const labels = [...new Set(p.series.flatMap((s) => [...s.values.keys()]))];
    const grain = p.grain ?? grainOf(labels);
    const periods = fillPeriods(labels.sort(), grain);
    let dropped = 0;
    const data = p.series.map((s) =>
      periods.map((per) => {
        const v = s.values.get(per);
        if (v === null || v === undefined || !Number.isFinite(v)) return null;
        if (p.log && v <= 0) {
          dropped++;
          return null;
        }
        return v;
      }),
    );
    const marks = periods.filter((x) => p.incomplete?.has(x));
    const option: ChartOption = {
      grid: { left: 8, right: 16, top: p.series.length > 1 ? 34 : 14, bottom: 8, containLabel: true },
      // Long names (HS sections) are cut in the legend and given in full in the tooltip.
      legend: p.series.length > 1 ? { top: 0, type: 'scroll', textStyle: { fontSize: 11, width: 170, overflow: 'truncate' } } : undefined,
      tooltip: {
        trigger: 'axis',
        formatter: (items: unknown) => {
          const list = items as { axisValue: string; seriesName: string; value: number | null; marker: string }[];
          const head = `${plain(list[0]?.axisValue ?? '')}${p.incomplete?.has(list[0]?.axisValue ?? '') ? ' (incomplete)' : ''}`;
          return [head, ...list.map((i) => `${i.marker}${plain(i.seriesName)}: ${i.value === null || i.value === undefined ? 'no data' : formatValue(i.value, p.unit)}`)].join('\n');
        },
      },
      xAxis: { type: 'category', data: periods, boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: {
        type: p.log ? 'log' : 'value',
        scale: !!p.log,
        axisLabel: { formatter: (v: number) => formatCompact(v) },
        splitLine: { lineStyle: { color: '#e5e7eb' } },
      },
      series: p.series.map((s, i) => ({
        type: 'line',
        name: s.name,
        data: data[i],
        connectNulls: false,
        showSymbol: periods.length <= 60,
        symbolSize: 5,
        lineWidth: 2,
        ...(i === 0 && marks.length
          ? {
              markArea: {
                silent: true,
                itemStyle: { color: 'rgba(156, 163, 175, 0.18)' },
                label: { show: false },
                data: marks.map((m) => [{ xAxis: m }, { xAxis: m }]),
              },
            }
          : {}),
      })),
    };
    return { option, periods, dropped };
  }, [p.series, p.grain, p.log, p.incomplete, p.unit]);

  const points = p.series.reduce((n, s) => n + [...s.values.values()].filter((v) => v !== null && v !== undefined).length, 0);
  return (
    <>
      <EChart
        option={option}
        height={p.height ?? 220}
        label={`${p.title}: ${p.series.length} series over ${periods.length} periods${p.log ? ', log scale' : ''}`}
        data-testid={p.testId ?? 'time-series-chart'}
        data-periods={periods.length}
        data-points={points}
      />
      {p.log && dropped > 0 && <p className="muted small">{dropped} values at or below zero are not drawn on the log scale.</p>}
    </>
  );
}

/** A map of period label to value from rows. */
export function valuesByPeriod<R>(rows: readonly R[], period: (r: R) => string, value: (r: R) => unknown): Map<string, number | null> {
  const m = new Map<string, number | null>();
  for (const r of rows) {
    const v = value(r);
    const k = period(r);
    const prev = m.get(k);
    m.set(k, typeof v === 'number' ? (prev ?? 0) + v : (prev ?? null));
  }
  return m;
}
