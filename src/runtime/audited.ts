/**
 * Runs a user-visible action and appends its audit event, whatever the outcome. The CLI and the HTTP
 * server both call this, so "every user-visible action is audited" is one code path, not a convention.
 */
import type { AuditLog } from '../control/index.ts';
import { ScopeDeniedError } from '../query/index.ts';

export interface ActionContext {
  principal: string;
  role?: string | null;
  /** Where the action came from: "cli" or the client address. */
  source: string;
  /** The client software (user agent, or certificate subject under mTLS). */
  client?: string | null;
  /** The stated purpose or case reference of the session, when the deployment asks for one. */
  purpose?: string | null;
}

function who(ctx: ActionContext) {
  return { principal: ctx.principal, role: ctx.role ?? null, source: ctx.source, client: ctx.client ?? null, purpose: ctx.purpose ?? null };
}

export async function audited<T>(
  audit: AuditLog,
  ctx: ActionContext,
  event: string,
  detail: string | null,
  fn: () => Promise<T>,
  describe: (r: T) => { rowCount?: number | null; objectIds?: readonly string[] } = () => ({}),
  /** For an action that completes but refuses what was asked (without telling the caller): the outcome and detail to record. */
  judge: (r: T) => { outcome?: 'denied'; detail?: string } = () => ({}),
): Promise<T> {
  try {
    const r = await fn();
    const d = describe(r);
    const j = judge(r);
    await audit.append({ event, ...who(ctx), outcome: j.outcome ?? 'allowed', detail: j.detail ?? detail, rowCount: d.rowCount ?? null, objectIds: d.objectIds ?? [] });
    return r;
  } catch (e) {
    await audit
      .append({ event, ...who(ctx), outcome: e instanceof ScopeDeniedError ? 'denied' : 'error', detail })
      .catch(() => undefined);
    throw e;
  }
}

/**
 * The full specification of a query for its audit record: `key=value` pairs in the given order, leaving out
 * what was not given. A query's specification is what the caller typed (dimensions, measures, filter, sort,
 * paging): an auditor must be able to see an attempt to single out a record by differencing two answers, so
 * filter values are kept, quoted as JSON when they are not plain tokens. It never holds a value the query
 * returned. Bounded (4,000 characters) so one record stays small.
 */
export function specDetail(what: string, spec: Readonly<Record<string, unknown>>): string {
  const parts = [what];
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
    // Objects (a drill-down cell, a saved report's spec) as their JSON; other values quoted when not plain.
    if (typeof v === 'object' && !Array.isArray(v)) {
      parts.push(`${k}=${JSON.stringify(v)}`);
      continue;
    }
    const text = Array.isArray(v) ? v.join(',') : String(v);
    parts.push(`${k}=${/^[A-Za-z0-9_,.:+-]+$/.test(text) ? text : JSON.stringify(text)}`);
  }
  const out = parts.join(' ');
  return out.length > 4000 ? `${out.slice(0, 3990)} …(cut)` : out;
}
