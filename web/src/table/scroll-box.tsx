/**
 * A horizontally (or vertically) scrolling box around a wide table: focusable and named, so a keyboard user
 * can scroll it (WCAG 2.1.1; axe scrollable-region-focusable) at tablet widths where tables overflow.
 */
import type { CSSProperties, ReactNode } from 'react';

export function ScrollBox({ label, children, className, style }: { label: string; children: ReactNode; className?: string; style?: CSSProperties }) {
  return (
    <div className={className ? `scroll-x ${className}` : 'scroll-x'} tabIndex={0} role="region" aria-label={label} style={style}>
      {children}
    </div>
  );
}
