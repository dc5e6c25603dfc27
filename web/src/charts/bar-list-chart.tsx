/**
 * Horizontal bars of labelled values (top-N lists, explore results without a period, the two sides of a
 * mirror pair). Bars start at zero so lengths compare honestly (negative values extend left), or use a log
 * scale when asked (values at or below zero are then left out, and said so). Long labels are cut on the axis
 * and shown in full in the tooltip; selecting a bar calls `onSelect` with its index.
 */
import { useMemo } from 'react';
import { formatCompact, formatValue } from '../format/number-format.ts';
import { EChart, FLAG_COLOUR, plain, type ChartOption } from './echart.tsx';

export interface Bar {
  label: string;
  value: number;
  /** Drawn in the flag colour (the flagged member of a comparison). */
  flagged?: boolean;
  /** The full text for the tooltip when the axis label is a short form. */
  title?: string;
}

export function BarListChart(p: { bars: readonly Bar[]; title: string; unit?: string | undefined; onSelect?: (i: number) => void; log?: boolean; rowHeight?: number; testId?: string }) {
  const rowH = p.rowHeight ?? 22;
  const shown = useMemo(() => (p.log ? p.bars.filter((b) => b.value > 0) : p.bars), [p.bars, p.log]);
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 8, right: 56, top: 8, bottom: 4, containLabel: true },
      tooltip: {
        trigger: 'item',
        formatter: (x: unknown) => {
          const i = x as { dataIndex: number };
          const b = shown[i.dataIndex];
          return b ? `${plain(b.title ?? b.label)}\n${formatValue(b.value, p.unit)}` : '';
        },
      },
      xAxis: { type: p.log ? 'log' : 'value', axisLabel: { formatter: (v: number) => formatCompact(v), hideOverlap: true }, splitLine: { lineStyle: { color: '#e5e7eb' } } },
      yAxis: {
        type: 'category',
        inverse: true,
        data: shown.map((b) => b.label),
        axisLabel: { width: 170, overflow: 'truncate', color: '#111827' },
        axisTick: { show: false },
      },
      series: [
        {
          type: 'bar',
          data: shown.map((b) => ({ value: b.value, itemStyle: b.flagged ? { color: FLAG_COLOUR } : undefined })),
          barMaxWidth: 18,
          label: { show: true, position: 'right', formatter: (x: unknown) => formatCompact((x as { value: number }).value), color: '#111827' },
          cursor: p.onSelect ? 'pointer' : 'default',
        },
      ],
    }),
    [shown, p.unit, p.log, p.onSelect],
  );
  return (
    <>
      <EChart
        option={option}
        height={Math.max(80, 20 + shown.length * rowH)}
        label={`${p.title}${p.log ? ' (log scale)' : ''}`}
        onClick={p.onSelect ? (c) => p.onSelect!(p.bars.indexOf(shown[c.dataIndex]!)) : undefined}
        data-testid={p.testId ?? 'bar-chart'}
        data-bars={shown.length}
        summary={
          <ul>
            {shown.map((b, i) => (
              <li key={i}>
                {b.title ?? b.label}: {formatValue(b.value, p.unit)}
              </li>
            ))}
          </ul>
        }
      />
      {p.log && shown.length < p.bars.length && <p className="muted small">{p.bars.length - shown.length} values at or below zero are not drawn on the log scale.</p>}
    </>
  );
}
