/**
 * The one chart library of the app: Apache ECharts (pinned in package.json), wrapped once here. Every chart
 * of the app is an ECharts option built by a small component beside this one (time series, bars,
 * distributions, digit frequencies), so tooltips, axes, log scales and box plots behave the same everywhere.
 *
 * Invariants:
 * - Only the parts used are registered (tree-shaken build); the canvas renderer is used, so the chart adds
 *   no inline style element or style attribute the server's CSP (default-src 'self') would refuse; ECharts
 *   sizes its elements through the CSSOM, which CSP allows.
 * - One ECharts instance per mounted component, disposed with it; resized with its box (ResizeObserver), so
 *   charts fit tablet widths and reflow when the menu opens.
 * - The chart is an image to assistive technology (role="img" with a label saying what it shows); the
 *   numbers are also in the page's tables or in a visually hidden summary the caller passes.
 * - Tooltips are drawn on the canvas too (renderMode 'richText'): an HTML tooltip would be markup with
 *   inline styles, which the CSP refuses. Tooltip text is plain text built by our formatters; data-derived
 *   strings go through `plain`, so a name can never be read as rich-text markup.
 */
import { useEffect, useRef, type HTMLAttributes, type ReactNode } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, BoxplotChart, LineChart, ScatterChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, MarkPointComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, BoxplotChart, LineChart, ScatterChart, DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, MarkPointComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export const SERIES_COLOURS = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0e7490', '#4d7c0f', '#6b7280'];
export const FLAG_COLOUR = '#b91c1c';
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";

/** A data-derived string for a rich-text tooltip: braces and bars (rich-text markup) become parentheses and slashes. */
export function plain(s: unknown): string {
  return String(s).replace(/[{]/g, '(').replace(/[}]/g, ')').replace(/[|]/g, '/');
}

/** Defaults every chart shares: font, colours, a tooltip kept inside the chart (tablets), no animation jank. */
export const BASE_OPTION = {
  color: SERIES_COLOURS,
  textStyle: { fontFamily: FONT, fontSize: 11, color: '#374151' },
  animationDuration: 300,
  tooltip: { renderMode: 'richText', confine: true, backgroundColor: '#ffffff', borderColor: '#9ca3af', borderWidth: 1, padding: 8, textStyle: { fontFamily: FONT, fontSize: 12, color: '#111827' } },
} as const;

export interface ChartClick {
  seriesIndex: number;
  dataIndex: number;
  name: string;
}

export function EChart({
  option,
  height,
  label,
  onClick,
  summary,
  ...rest
}: { option: ChartOption; height: number; label: string; onClick?: (p: ChartClick) => void; summary?: ReactNode } & Omit<HTMLAttributes<HTMLDivElement>, 'onClick'>) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const c = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (p) => click.current?.({ seriesIndex: p.seriesIndex ?? 0, dataIndex: p.dataIndex, name: String(p.name ?? '') }));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ ...BASE_OPTION, ...option }, { notMerge: true });
  }, [option]);

  return (
    <div className="echart-frame" {...rest}>
      <div ref={box} className="echart" role="img" aria-label={label} style={{ height }} />
      {summary && <div className="sr-only">{summary}</div>}
    </div>
  );
}
