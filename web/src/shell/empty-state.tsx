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

/**
 * What brings data into a user's view, in words for their situation: a partner agency's analyst waits for
 * their agency's uploads (they cannot load data themselves); others are told the load command.
 */
export function noDataHint(provider: string | null | undefined, what = 'Data'): string {
  if (provider) return `${what} of your agency (provider ${provider}) appears here once its uploads have been loaded. If you have sent files already, ask the host's administrator whether they were loaded or quarantined.`;
  return `${what} appears here once a batch your role may read has been loaded (parallax ingest FILE --profile … --category trade --provider …). Ask your administrator if you expected data here.`;
}
