/**
 * Append-only audit events (access.md: who did what, from where, to which objects, with what outcome).
 *
 * Invariants: callers pass identifiers and counts, never row values, SQL parameters or secrets; `detail`
 * is a short fixed description chosen by code (a spec summary such as "by=origin,hs2"), not user data.
 */
import type { ControlStore } from './control-store.ts';

export interface AuditEvent {
  event: string;
  principal: string;
  role?: string | null;
  source: string;
  objectIds?: readonly string[];
  rowCount?: number | null;
  outcome: 'allowed' | 'denied' | 'error';
  detail?: string | null;
}

export interface AuditLog {
  append(e: AuditEvent): Promise<void>;
  recent(limit: number): Promise<(AuditEvent & { id: number; at: string })[]>;
}

export function auditLog(store: ControlStore): AuditLog {
  return {
    async append(e) {
      await store.db
        .insertInto('audit_events')
        .values({
          at: new Date().toISOString(),
          event: e.event,
          principal: e.principal,
          role: e.role ?? null,
          source: e.source,
          object_ids: e.objectIds?.length ? e.objectIds.join(',') : null,
          row_count: e.rowCount ?? null,
          outcome: e.outcome,
          detail: e.detail ?? null,
        })
        .execute();
    },
    async recent(limit) {
      const rows = await store.db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => ({
        id: Number(r.id),
        at: r.at,
        event: r.event,
        principal: r.principal,
        role: r.role,
        source: r.source,
        objectIds: r.object_ids ? r.object_ids.split(',') : [],
        rowCount: r.row_count === null ? null : Number(r.row_count),
        outcome: r.outcome,
        detail: r.detail,
      }));
    },
  };
}
