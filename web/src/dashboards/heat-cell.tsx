/**
 * One cell of a dashboard heat table: the figure as text (compact), its full value in the title, and a
 * background from a sequential blue scale, so colour is never the only carrier. Suppressed cells say so.
 *
 * Invariant: text keeps at least 4.5:1 contrast: dark text on light cells (lightness 59 % and up), white on
 * dark ones (52 % and below). Between the two neither passes on this hue, so cells that would fall there are
 * drawn at 52 %.
 */
import { formatCompact, formatValue } from '../format/number-format.ts';

function heatStyle(t: number, present: boolean) {
  if (!present) return { background: '#f9fafb', color: '#4b5563' };
  const raw = 97 - t * 62;
  const l = raw < 59 ? Math.min(raw, 52) : raw;
  return { background: `hsl(217 80% ${l}%)`, color: l <= 52 ? '#fff' : '#111827' };
}

/** `value` a number, null when suppressed, undefined when there is no such cell; `max` the table's largest value. */
export function HeatCell({ label, value, max }: { label: string; value: unknown; max: number }) {
  const present = typeof value === 'number';
  const t = present && max > 0 ? (value as number) / max : 0;
  return (
    <td className="num" style={heatStyle(t, present)} title={`${label}: ${value === null ? 'suppressed' : formatValue(present ? (value as number) : null)}`} data-value={present ? (value as number) : undefined}>
      {present ? formatCompact(value as number) : value === null ? 'supp.' : ''}
    </td>
  );
}
