/**
 * Horizontal bar chart of labelled values (top-N lists, explore results without a period). Bars start
 * at zero so lengths compare honestly; negative values extend left of the zero line.
 */
import { formatCompact, formatValue } from '../format/number-format.ts';
import { linearScale } from './scale.ts';
import { useWidth } from './use-width.ts';

export interface Bar {
  label: string;
  value: number;
}

export function BarChart({ bars, title, unit, onSelect, rowHeight = 20 }: { bars: readonly Bar[]; title: string; unit?: string; onSelect?: (i: number) => void; rowHeight?: number }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const rowH = rowHeight;
  const labelW = Math.min(180, Math.max(80, width * 0.28));
  const top = 22;
  const h = top + bars.length * rowH + 4;
  const vals = bars.map((b) => b.value);
  const x = linearScale(Math.min(0, ...vals), Math.max(0, ...vals), labelW + 8, width - 56, 4);
  return (
    <div ref={ref}>
      <svg className="chart" width={width} height={h} role="img" aria-label={title}>
        <title>{title}</title>
        <g className="grid">
          {x.ticks.map((t) => (
            <g key={t}>
              <line x1={x(t)} x2={x(t)} y1={top - 4} y2={h - 4} />
              <text x={x(t)} y={12} textAnchor="middle">
                {formatCompact(t)}
              </text>
            </g>
          ))}
        </g>
        {bars.map((b, i) => {
          const y = top + i * rowH;
          const x0 = x(Math.min(0, b.value));
          const w = Math.max(1, Math.abs(x(b.value) - x(0)));
          return (
            <g key={i} onClick={onSelect ? () => onSelect(i) : undefined} style={onSelect ? { cursor: 'pointer' } : undefined}>
              <text x={labelW} y={y + rowH / 2 + 4} textAnchor="end">
                {b.label.length > 28 ? `${b.label.slice(0, 27)}…` : b.label}
              </text>
              <rect x={x0} y={y + 2} width={w} height={rowH - 4} fill="#1d4ed8">
                <title>{`${b.label}: ${formatValue(b.value, unit)}`}</title>
              </rect>
              <text x={x0 + w + 4} y={y + rowH / 2 + 4}>
                {formatCompact(b.value)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
