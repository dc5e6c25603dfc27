/**
 * The aggregate transparency report (access.md): per period, how the system was used — queries, exports,
 * disclosures, screenings and confirmed matches, denials, locks, purges — in counts only.
 *
 * Invariants:
 * - Counts, never identities: no principal, object id, purpose or detail leaves this module; the only
 *   per-person figure is the number of distinct users active in the period.
 * - The engine groups (audit events by month, event type and outcome; disclosures, decisions and purges by
 *   month); TypeScript only files the few hundred grouped rows under the report's headings and rolls months
 *   up into quarters or years.
 * - Every audit event type is filed under exactly one heading (or "other"), so the headings add up to the
 *   trail's event count for the period, which the report states.
 * - The current period is marked incomplete.
 */
import { sql } from 'kysely';
import type { ControlStore } from '../control/index.ts';

export type TransparencyGrain = 'month' | 'quarter' | 'year';

export interface TransparencyPeriod {
  period: string;
  complete: boolean;
  events: number;
  activeUsers: number;
  signIns: number;
  failedSignIns: number;
  queries: number;
  exports: number;
  disclosures: number;
  disclosedRows: number;
  screenings: number;
  confirmedMatches: number;
  decisions: number;
  analyses: number;
  loads: number;
  accountChanges: number;
  denials: number;
  errors: number;
  locks: number;
  unlocks: number;
  purges: number;
  purgedRows: number;
  other: number;
}

export interface TransparencyReport {
  grain: TransparencyGrain;
  from: string | null;
  to: string | null;
  generatedAt: string;
  periods: TransparencyPeriod[];
  totals: Omit<TransparencyPeriod, 'period' | 'complete' | 'activeUsers'>;
}

type Heading = 'signIns' | 'queries' | 'exports' | 'screenings' | 'decisions' | 'analyses' | 'loads' | 'accountChanges' | 'locks' | 'unlocks' | 'denials' | 'other';

/** Audit event types by name; families (view-*, account-*, screen-*) by prefix below. */
const HEADING: Record<string, Heading> = {
  'sign-in': 'signIns',
  query: 'queries',
  'parties-search': 'queries',
  'party-show': 'queries',
  'party-graph': 'queries',
  'party-path': 'queries',
  'compare-runs': 'queries',
  'report-list': 'queries',
  'watchlist-diff': 'queries',
  'audit-read': 'queries',
  'audit-verify': 'queries',
  'disclosures-read': 'queries',
  'purge-preview': 'queries',
  export: 'exports',
  'report-run': 'exports',
  'audit-export': 'exports',
  decide: 'decisions',
  'parties-merge': 'decisions',
  'parties-split': 'decisions',
  analyze: 'analyses',
  evaluate: 'analyses',
  'train-model': 'analyses',
  'parties-resolve': 'analyses',
  'parties-resolution-start': 'analyses',
  'report-save': 'analyses',
  'report-delete': 'analyses',
  ingest: 'loads',
  'watchlist-load': 'loads',
  'retention-set': 'accountChanges',
  'hold-place': 'accountChanges',
  'hold-release': 'accountChanges',
  lock: 'locks',
  unlock: 'unlocks',
  denied: 'denials',
};

/**
 * The heading an audit event type is counted under. Housekeeping events (sign-out, checkpoints, the end of
 * a resolution job whose start was counted, the purge itself, counted from the purge record) are "other".
 */
export function headingOf(event: string): Heading {
  const named = HEADING[event];
  if (named) return named;
  if (event.startsWith('view-')) return 'queries';
  if (event.startsWith('account-')) return 'accountChanges';
  if (event.startsWith('screen-')) return 'screenings';
  return 'other';
}

const ZERO = (): Omit<TransparencyPeriod, 'period' | 'complete'> => ({
  events: 0,
  activeUsers: 0,
  signIns: 0,
  failedSignIns: 0,
  queries: 0,
  exports: 0,
  disclosures: 0,
  disclosedRows: 0,
  screenings: 0,
  confirmedMatches: 0,
  decisions: 0,
  analyses: 0,
  loads: 0,
  accountChanges: 0,
  denials: 0,
  errors: 0,
  locks: 0,
  unlocks: 0,
  purges: 0,
  purgedRows: 0,
  other: 0,
});

/** "2026-11" -> the period label of a grain. */
export function periodOf(month: string, grain: TransparencyGrain): string {
  if (grain === 'month') return month;
  if (grain === 'year') return month.slice(0, 4);
  return `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
}

export async function transparencyReport(control: ControlStore, opts: { grain?: TransparencyGrain; from?: string; to?: string; now?: Date } = {}): Promise<TransparencyReport> {
  const grain = opts.grain ?? 'month';
  const now = opts.now ?? new Date();
  // Months as text: `at` is ISO-8601 text on both engines, so its first 7 characters are the month.
  const month = sql<string>`substr(at, 1, 7)`;
  const range = <Q extends { where: (...a: any[]) => Q }>(q: Q, col = 'at') => {
    let out = q;
    if (opts.from) out = out.where(col, '>=', opts.from);
    // `to` is inclusive of its whole day or month: compare against the next character after the prefix.
    if (opts.to) out = out.where(col, '<', `${opts.to}\uffff`);
    return out;
  };
  const db = control.db;
  const [events, users, disclosures, decisions, purges] = await Promise.all([
    range(db.selectFrom('audit_events').select([month.as('m'), 'event', 'outcome', sql<number>`count(*)`.as('n')]).groupBy([month, 'event', 'outcome'])).execute(),
    range(db.selectFrom('audit_events').select([month.as('m'), sql<number>`count(distinct principal)`.as('n')]).where('principal', 'not like', 'register:%').groupBy(month)).execute(),
    range(db.selectFrom('disclosures').select([month.as('m'), sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(row_count), 0)`.as('rows')]).groupBy(month)).execute(),
    range(
      db
        .selectFrom('party_decisions')
        .select([sql<string>`substr(decided_at, 1, 7)`.as('m'), sql<number>`count(*)`.as('n'), sql<number>`sum(case when decision = 'confirmed' and subject_kind = 'hit' then 1 else 0 end)`.as('confirmed')])
        .groupBy(sql`substr(decided_at, 1, 7)`),
      'decided_at',
    ).execute(),
    range(db.selectFrom('purges').select([month.as('m'), sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(rows_removed), 0)`.as('rows')]).groupBy(month)).execute(),
  ]);

  const byPeriod = new Map<string, TransparencyPeriod>();
  const at = (m: string) => {
    const p = periodOf(m, grain);
    let r = byPeriod.get(p);
    if (!r) byPeriod.set(p, (r = { period: p, complete: p !== periodOf(now.toISOString().slice(0, 7), grain), ...ZERO() }));
    return r;
  };
  for (const e of events) {
    const r = at(e.m);
    const n = Number(e.n);
    r.events += n;
    if (e.outcome === 'error') r.errors += n;
    if (e.event === 'sign-in' && e.outcome === 'denied') r.failedSignIns += n;
    else if (e.outcome === 'denied' && e.event !== 'denied') r.denials += n;
    else r[headingOf(e.event)] += n;
  }
  // Distinct users cannot be summed across months; a quarter or year shows the busiest month's count.
  for (const u of users) {
    const r = at(u.m);
    r.activeUsers = Math.max(r.activeUsers, Number(u.n));
  }
  for (const d of disclosures) Object.assign(at(d.m), { disclosures: at(d.m).disclosures + Number(d.n), disclosedRows: at(d.m).disclosedRows + Number(d.rows) });
  for (const d of decisions) Object.assign(at(d.m), { confirmedMatches: at(d.m).confirmedMatches + Number(d.confirmed) });
  for (const p of purges) Object.assign(at(p.m), { purges: at(p.m).purges + Number(p.n), purgedRows: at(p.m).purgedRows + Number(p.rows) });

  const periods = [...byPeriod.values()].sort((a, b) => a.period.localeCompare(b.period));
  const totals = ZERO() as TransparencyReport['totals'] & { activeUsers?: number };
  for (const p of periods) for (const k of Object.keys(totals) as (keyof TransparencyReport['totals'])[]) totals[k] += p[k];
  delete totals.activeUsers;
  return { grain, from: opts.from ?? null, to: opts.to ?? null, generatedAt: now.toISOString(), periods, totals };
}
