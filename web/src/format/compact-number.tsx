/**
 * A large figure in compact notation (17.2B) with the full value on hover and for screen readers, so a
 * headline fits its card at any width and the exact figure is one pointer (or one tap, via the title's
 * focus) away. Small figures are written in full.
 */
import { formatCompact, formatValue } from './number-format.ts';

export function CompactNumber({ value, unit, suffix }: { value: number; unit?: string | undefined; suffix?: string | undefined }) {
  const full = `${value === 0 ? '0' : formatValue(value, unit)}${suffix ? ` ${suffix}` : ''}`;
  if (Math.abs(value) < 100_000) return <span className="figure">{full}</span>;
  return (
    <span className="figure" title={full} data-full={full}>
      <span aria-hidden="true">
        {formatCompact(value)}
        {suffix ? ` ${suffix}` : ''}
      </span>
      <span className="sr-only">{full}</span>
    </span>
  );
}
