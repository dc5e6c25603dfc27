/**
 * Line chart of one or more series over ordered categories (periods). Gaps (null) break the line rather
 * than being drawn as zero, so a missing period is never mistaken for a drop.
 */
import { formatCompact, formatValue } from '../format/number-format.ts';
import { linearScale, SERIES_COLOURS } from './scale.ts';
import { useWidth } from './use-width.ts';

export interface Series {
  name: string;
  values: (number | null)[];
}

export function LineChart({ xLabels, series, title, unit, height = 220 }: { xLabels: readonly string[]; series: readonly Series[]; title: string; unit?: string; height?: number }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const m = { l: 56, r: 12, t: 10, b: 28 };
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const y = linearScale(Math.min(0, ...all), Math.max(0, ...all), height - m.b, m.t, 4);
  const n = xLabels.length;
  const x = (i: number) => m.l + (n <= 1 ? 0 : (i / (n - 1)) * (width - m.l - m.r));
  const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor((width - m.l) / 70))));
  return (
    <div ref={ref}>
      <svg className="chart" width={width} height={height} role="img" aria-label={title}>
        <title>{title}</title>
        <g className="grid">
          {y.ticks.map((t) => (
            <g key={t}>
              <line x1={m.l} x2={width - m.r} y1={y(t)} y2={y(t)} />
              <text x={m.l - 6} y={y(t) + 4} textAnchor="end">
                {formatCompact(t)}
              </text>
            </g>
          ))}
        </g>
        <g className="axis">
          {xLabels.map((l, i) =>
            i % every === 0 ? (
              <text key={i} x={x(i)} y={height - 8} textAnchor="middle">
                {l}
              </text>
            ) : null,
          )}
        </g>
        {series.map((s, si) => {
          const colour = SERIES_COLOURS[si % SERIES_COLOURS.length]!;
          let d = '';
          s.values.forEach((v, i) => {
            if (v === null) return;
            d += `${i > 0 && s.values[i - 1] !== null && s.values[i - 1] !== undefined ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
          });
          return (
            <g key={s.name}>
              <path d={d} fill="none" stroke={colour} strokeWidth={1.8} />
              {n <= 60 &&
                s.values.map((v, i) =>
                  v === null ? null : (
                    <circle key={i} cx={x(i)} cy={y(v)} r={2.2} fill={colour}>
                      <title>{`${s.name} ${xLabels[i]}: ${formatValue(v, unit)}`}</title>
                    </circle>
                  ),
                )}
            </g>
          );
        })}
      </svg>
      {series.length > 1 && (
        <div className="legend">
          {series.map((s, i) => (
            <span key={s.name}>
              <span className="legend-swatch" style={{ background: SERIES_COLOURS[i % SERIES_COLOURS.length] }} />
              {s.name}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}
