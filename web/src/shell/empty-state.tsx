/**
 * An empty or partial state that says what is missing and what to do next, the same on every page: a title
 * in words ("No analysis run covers your data yet"), then the next step. Never a blank axis or "Top 0".
 */
import type { ReactNode } from 'react';

export function EmptyState({ title, children, testId }: { title: string; children?: ReactNode; testId?: string }) {
  return (
    <section className="empty-state" aria-label={title} data-testid={testId ?? 'empty-state'}>
      <h2>{title}</h2>
      {children && <p>{children}</p>}
    </section>
  );
}
