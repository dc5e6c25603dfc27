/**
 * Vertical bars over a few categories, for evidence pictures: a party's months before a surge with the
 * flagged month in the flag colour and the median and threshold marked; Benford's first-digit shares as bars
 * with the expected shares as a line. Values are formatted by the caller's `format` in labels and tooltips.
 */
import { useMemo } from 'react';
import { formatCompact } from '../format/number-format.ts';
import { EChart, FLAG_COLOUR, plain, type ChartOption } from './echart.tsx';

export function ColumnChart(p: {
  categories: readonly string[];
  values: readonly number[];
  title: string;
  format: (v: number) => string;
  /** Index drawn in the flag colour. */
  flagged?: number;
  /** A second series drawn as a line with dots (expected values). */
  expected?: { name: string; values: readonly number[] };
  /** Horizontal reference lines (median, threshold). */
  marks?: readonly { name: string; value: number }[];
  valueName?: string;
  /** Axis labels (default compact: 2.5M). */
  axisFormat?: (v: number) => string;
  height?: number;
  testId?: string;
}) {
  const axisFormat = p.axisFormat ?? formatCompact;
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 8, right: 16, top: p.expected ? 30 : 14, bottom: 8, containLabel: true },
      legend: p.expected ? { top: 0, data: [p.valueName ?? 'observed', p.expected.name] } : undefined,
      tooltip: {
        trigger: 'axis',
        formatter: (items: unknown) => {
          const list = items as { axisValue: string; seriesName: string; value: number; marker: string }[];
          return [plain(list[0]?.axisValue ?? ''), ...list.map((i) => `${i.marker}${plain(i.seriesName)}: ${p.format(i.value)}`)].join('\n');
        },
      },
      xAxis: { type: 'category', data: [...p.categories], axisTick: { alignWithLabel: true } },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => axisFormat(v) }, splitLine: { lineStyle: { color: '#e5e7eb' } } },
      series: [
        {
          type: 'bar',
          name: p.valueName ?? 'observed',
          data: p.values.map((v, i) => ({ value: v, itemStyle: i === p.flagged ? { color: FLAG_COLOUR } : undefined })),
          barMaxWidth: 36,
          markLine: p.marks?.length
            ? {
                silent: true,
                symbol: 'none',
                // Named in the caption under the chart: labels of close lines collide.
                data: p.marks.map((m) => ({ yAxis: m.value, name: m.name, label: { show: false }, lineStyle: { color: '#6b7280', type: 'dashed' } })),
              }
            : undefined,
        },
        ...(p.expected ? [{ type: 'line', name: p.expected.name, data: [...p.expected.values], symbolSize: 6, lineStyle: { color: '#b45309' }, itemStyle: { color: '#b45309' } }] : []),
      ],
    }),
    [p.categories, p.values, p.flagged, p.expected, p.marks, p.format, p.valueName, axisFormat],
  );
  return (
    <>
      <EChart option={option} height={p.height ?? 200} label={p.title} data-testid={p.testId ?? 'column-chart'} />
      {(p.marks?.length || p.flagged !== undefined) && (
        <p className="muted small chart-legend">
          {p.flagged !== undefined && (
            <>
              <span className="legend-dot flag" aria-hidden="true" /> {p.categories[p.flagged]}: {p.format(p.values[p.flagged] ?? 0)}
            </>
          )}
          {p.marks?.map((m) => ` · dashed: ${m.name} ${p.format(m.value)}`)}
        </p>
      )}
    </>
  );
}
