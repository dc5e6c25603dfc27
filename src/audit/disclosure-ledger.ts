/**
 * The disclosure ledger (access.md: the accounting of disclosures): every export and partner disclosure,
 * with date, nature, purpose, recipient and agreement, linked to the audit event that performed it.
 *
 * Invariants: entries are only ever added; this module has no update or delete, and retention purges of
 * data never touch the table, so removing data never removes the record that it was disclosed.
 * `retain_until` is at least five years after the disclosure (the life of the record may keep it longer;
 * nothing here ever shortens it). Like audit events, entries hold identifiers and counts, never row values.
 */
import { isoInstant, type ControlStore } from '../control/index.ts';

export const DISCLOSURE_RETENTION_YEARS = 5;

export interface DisclosureInput {
  principal: string;
  /** What was disclosed, as a fixed description chosen by code, e.g. "export lines csv". */
  nature: string;
  purpose?: string | null;
  recipient: string;
  /** The data-sharing agreement or legal basis, when there is one. */
  agreement?: string | null;
  rowCount?: number | null;
  bytes?: number | null;
  auditEventId?: number | null;
}

export interface Disclosure {
  id: number;
  at: string;
  principal: string;
  nature: string;
  purpose: string | null;
  recipient: string;
  agreement: string | null;
  rowCount: number | null;
  bytes: number | null;
  auditEventId: number | null;
  retainUntil: string;
}

export interface DisclosureFilter {
  principal?: string | undefined;
  recipient?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  offset?: number | undefined;
}

export interface DisclosureLedger {
  record(d: DisclosureInput): Promise<Disclosure>;
  /** Newest first. */
  list(f: DisclosureFilter): Promise<{ total: number; rows: Disclosure[] }>;
}

export function retainUntil(at: Date): string {
  const d = new Date(at.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + DISCLOSURE_RETENTION_YEARS);
  return d.toISOString();
}

export function disclosureLedger(control: ControlStore): DisclosureLedger {
  const db = control.db;
  return {
    async record(d) {
      const now = new Date();
      const row = {
        at: now.toISOString(),
        principal: d.principal,
        nature: d.nature,
        purpose: d.purpose ?? null,
        recipient: d.recipient,
        agreement: d.agreement ?? null,
        row_count: d.rowCount ?? null,
        bytes: d.bytes ?? null,
        audit_event_id: d.auditEventId ?? null,
        retain_until: retainUntil(now),
      };
      const r = await db.insertInto('disclosures').values(row).returning('id').executeTakeFirstOrThrow();
      return {
        id: Number(r.id),
        at: row.at,
        principal: row.principal,
        nature: row.nature,
        purpose: row.purpose,
        recipient: row.recipient,
        agreement: row.agreement,
        rowCount: row.row_count,
        bytes: row.bytes,
        auditEventId: row.audit_event_id,
        retainUntil: row.retain_until,
      };
    },
    async list(f) {
      let q = db.selectFrom('disclosures');
      if (f.principal !== undefined) q = q.where('principal', '=', f.principal);
      if (f.recipient !== undefined) q = q.where('recipient', '=', f.recipient);
      if (f.from !== undefined) q = q.where('at', '>=', isoInstant(f.from));
      if (f.to !== undefined) q = q.where('at', '<', isoInstant(f.to));
      const rows = await q.selectAll().orderBy('id', 'desc').limit(f.limit).offset(f.offset ?? 0).execute();
      const total = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      return {
        total: Number(total?.n ?? 0),
        rows: rows.map((r) => ({
          id: Number(r.id),
          at: r.at,
          principal: r.principal,
          nature: r.nature,
          purpose: r.purpose,
          recipient: r.recipient,
          agreement: r.agreement,
          rowCount: r.row_count === null ? null : Number(r.row_count),
          bytes: r.bytes === null ? null : Number(r.bytes),
          auditEventId: r.audit_event_id === null ? null : Number(r.audit_event_id),
          retainUntil: r.retain_until,
        })),
      };
    },
  };
}
