/**
 * The comparison group of an anomaly drawn with the flagged value marked on it: a box plot from the
 * detector's own statistics (quartiles, median, fences: exact, from the evidence) and, when a sample of
 * the group's values is available, a histogram above it on the same axis.
 *
 * Invariants: the box comes from the evidence, never from the sample, so the chart shows what the detector
 * compared with; the sample only adds shape. A wide spread (max/min over 30, all positive) uses a log axis,
 * said in the axis title, so a value 50x the median and the box both stay readable.
 */
import { formatCompact, formatValue } from '../format/number-format.ts';
import { useWidth } from './use-width.ts';

export interface BoxStats {
  q1?: number | undefined;
  median?: number | undefined;
  q3?: number | undefined;
  lowerFence?: number | undefined;
  upperFence?: number | undefined;
}

export function DistributionChart(p: { box: BoxStats; observed: number; sample?: readonly number[] | undefined; unitLabel: string; title: string }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const sample = (p.sample ?? []).filter((v) => Number.isFinite(v));
  const known = [p.box.q1, p.box.median, p.box.q3, p.box.lowerFence, p.box.upperFence, p.observed].filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const lows = [...known, ...sample];
  let lo = Math.min(...lows);
  let hi = Math.max(...lows);
  const positives = lows.filter((v) => v > 0);
  const useLog = positives.length === lows.length && lo > 0 && hi / lo > 30;
  if (!useLog) {
    lo = Math.min(0, lo);
  }
  const m = { l: 16, r: 16 };
  const tf = (v: number) => (useLog ? Math.log10(Math.max(v, lo)) : v);
  const t0 = tf(lo) - (useLog ? 0.05 : 0);
  const t1 = tf(hi) + (useLog ? 0.05 : (hi - lo) * 0.03);
  const x = (v: number) => m.l + ((tf(v) - t0) / (t1 - t0 || 1)) * (width - m.l - m.r);

  const histH = sample.length ? 110 : 0;
  const boxTop = histH + 18;
  const boxH = 26;
  const axisY = boxTop + boxH + 30;
  const h = axisY + 34;

  // Histogram bins in the transformed space, so log-axis bins have equal width on screen.
  const bins = 32;
  const counts = new Array<number>(bins).fill(0);
  for (const v of sample) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((tf(v) - t0) / (t1 - t0 || 1)) * bins)));
    counts[b]!++;
  }
  const maxCount = Math.max(1, ...counts);
  const binW = (width - m.l - m.r) / bins;

  const ticks: number[] = [];
  if (useLog) {
    for (let e = Math.floor(t0); e <= Math.ceil(t1); e++) if (e >= t0 && e <= t1) ticks.push(10 ** e);
  } else {
    for (let i = 0; i <= 5; i++) ticks.push(lo + ((hi - lo) * i) / 5);
  }

  const { q1, median, q3, lowerFence, upperFence } = p.box;
  const hasBox = q1 !== undefined && q3 !== undefined;
  const whiskerLo = lowerFence !== undefined ? Math.max(lowerFence, useLog ? lo : lowerFence) : q1;
  const whiskerHi = upperFence ?? q3;
  const obsX = x(p.observed);
  const labelLeft = obsX > width * 0.7;

  return (
    <div ref={ref} data-testid="distribution-chart">
      <svg className="chart" width={width} height={h} role="img" aria-label={p.title}>
        <title>{p.title}</title>
        {sample.length > 0 && (
          <g aria-hidden="true">
            {counts.map((c, i) =>
              c ? <rect key={i} x={m.l + i * binW + 0.5} y={histH - (c / maxCount) * (histH - 14)} width={Math.max(1, binW - 1)} height={(c / maxCount) * (histH - 14)} fill="#93c5fd" /> : null,
            )}
            <text x={m.l} y={10}>
              {`${formatValue(sample.length, 'count')} lines of the group (histogram)`}
            </text>
            <line x1={m.l} x2={width - m.r} y1={histH} y2={histH} stroke="#9ca3af" />
          </g>
        )}
        {hasBox && (
          <g>
            {whiskerLo !== undefined && whiskerHi !== undefined && (
              <>
                <line x1={x(whiskerLo)} x2={x(whiskerHi)} y1={boxTop + boxH / 2} y2={boxTop + boxH / 2} stroke="#374151" />
                <line x1={x(whiskerLo)} x2={x(whiskerLo)} y1={boxTop + 4} y2={boxTop + boxH - 4} stroke="#374151" />
                <line x1={x(whiskerHi)} x2={x(whiskerHi)} y1={boxTop + 4} y2={boxTop + boxH - 4} stroke="#374151" />
              </>
            )}
            <rect x={x(q1)} y={boxTop} width={Math.max(1, x(q3) - x(q1))} height={boxH} fill="#e5e7eb" stroke="#374151" />
            {median !== undefined && <line x1={x(median)} x2={x(median)} y1={boxTop} y2={boxTop + boxH} stroke="#111827" strokeWidth={2} />}
            <text x={x(q1)} y={boxTop - 4} textAnchor="end">
              {`Q1 ${formatCompact(q1)}`}
            </text>
            <text x={x(q3)} y={boxTop - 4}>
              {`Q3 ${formatCompact(q3)}`}
            </text>
            {upperFence !== undefined && (
              <text x={x(upperFence)} y={boxTop + boxH + 13} textAnchor="middle">
                {`fence ${formatCompact(upperFence)}`}
              </text>
            )}
          </g>
        )}
        {!hasBox && median !== undefined && (
          <g>
            <line x1={x(median)} x2={x(median)} y1={boxTop} y2={boxTop + boxH} stroke="#111827" strokeWidth={2} />
            <text x={x(median)} y={boxTop - 4} textAnchor="middle">
              {`median ${formatCompact(median)}`}
            </text>
          </g>
        )}
        <g data-testid="observed-marker">
          <line x1={obsX} x2={obsX} y1={4} y2={axisY} stroke="#b91c1c" strokeWidth={2} strokeDasharray="4 2" />
          <circle cx={obsX} cy={boxTop + boxH / 2} r={5} fill="#b91c1c" />
          <text x={labelLeft ? obsX - 6 : obsX + 6} y={boxTop + boxH + 26} textAnchor={labelLeft ? 'end' : 'start'} fill="#b91c1c" style={{ fill: '#b91c1c', fontWeight: 600 }}>
            {`flagged ${formatValue(p.observed)}`}
          </text>
        </g>
        <g className="axis">
          <line x1={m.l} x2={width - m.r} y1={axisY} y2={axisY} />
          {ticks.map((t, i) => (
            <g key={i}>
              <line x1={x(t)} x2={x(t)} y1={axisY} y2={axisY + 4} />
              <text x={x(t)} y={axisY + 16} textAnchor="middle">
                {formatCompact(t)}
              </text>
            </g>
          ))}
          <text x={(width - m.l - m.r) / 2 + m.l} y={axisY + 30} textAnchor="middle">
            {`${p.unitLabel}${useLog ? ' (log scale)' : ''}`}
          </text>
        </g>
      </svg>
    </div>
  );
}
