/**
 * Append-only audit events (access.md: who did what, from where, to which objects, with what outcome),
 * chained with SHA-256 so an edit, deletion, insertion or reordering is visible to `audit verify`.
 *
 * Invariants:
 * - callers pass identifiers and counts, never row values, SQL parameters or secrets; `detail` is a short
 *   description chosen by code, or for a query the query's own specification as the caller typed it
 *   (dimensions, measures, filter: runtime/audited.ts specDetail), so an auditor can see an attempt to
 *   single out a record by differencing; never a value a query returned.
 * - record n has id n-1's id + 1 and `hash = sha256(prev_hash + "\n" + canonical(fields))`, where the
 *   canonical form is a JSON array of the stored columns in CHAIN_FIELDS order (id and time included), so
 *   anyone can recompute it from an export. The first record's prev_hash is GENESIS_HASH.
 * - one chain, never a fork: every append reads the head and writes the next ids inside one transaction
 *   that holds the store's single audit write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction
 *   advisory lock), and the explicit primary key turns any race that slipped through into a failed insert
 *   rather than a second branch. Every insert into audit_events goes through `append`.
 * - in one process, appends queue behind each other and are written in groups (one transaction per group),
 *   so a busy server never contends with itself and pays one lock per group, not per event. Never await
 *   `append` inside another control-store transaction: on SQLite there is one connection, so it would wait
 *   for itself.
 */
import { createHash } from 'node:crypto';
import { sql, type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { ControlStore } from './control-store.ts';
import type { AuditEventTable, ControlDatabase } from './control-schema.ts';

export type AuditOutcome = 'allowed' | 'denied' | 'error';

export interface AuditEvent {
  event: string;
  principal: string;
  role?: string | null;
  source: string;
  /** The client software (user agent, or certificate subject under mTLS). */
  client?: string | null;
  /** The stated purpose or case reference of the session. */
  purpose?: string | null;
  objectIds?: readonly string[];
  rowCount?: number | null;
  outcome: AuditOutcome;
  detail?: string | null;
}

export interface AuditRecord {
  id: number;
  at: string;
  event: string;
  principal: string;
  role: string | null;
  source: string;
  client: string | null;
  purpose: string | null;
  objectIds: string[];
  rowCount: number | null;
  outcome: AuditOutcome;
  detail: string | null;
  prevHash: string | null;
  hash: string | null;
}

/** The last record of the chain: its id and hash are what a checkpoint signs. */
export interface AuditHead {
  id: number;
  hash: string;
}

export interface AuditFilter {
  principal?: string | undefined;
  event?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** ISO-8601; inclusive. */
  from?: string | undefined;
  /** ISO-8601; exclusive. */
  to?: string | undefined;
  limit: number;
  offset?: number | undefined;
}

export interface AuditLog {
  append(e: AuditEvent): Promise<AuditHead>;
  recent(limit: number): Promise<AuditRecord[]>;
  /** Newest first. */
  page(f: AuditFilter): Promise<{ total: number; rows: AuditRecord[] }>;
  head(): Promise<AuditHead | null>;
  /** Resolves when every append queued so far is written (and its after-append work is done). */
  flush(): Promise<void>;
}

export interface AuditLogOptions {
  /** Runs after each written group, in the append queue (so it never races an append of this process). */
  afterAppend?: (head: AuditHead) => Promise<void>;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The columns a record's hash covers, in hashing order. */
export const CHAIN_FIELDS = ['id', 'at', 'event', 'principal', 'role', 'source', 'client', 'purpose', 'object_ids', 'row_count', 'outcome', 'detail'] as const;

export type ChainedFields = { [K in (typeof CHAIN_FIELDS)[number]]: K extends 'id' ? number : K extends 'row_count' ? number | null : string | null };

/** sha256(prev_hash + "\n" + JSON.stringify([id, at, event, principal, role, source, client, purpose, object_ids, row_count, outcome, detail])) */
export function chainHash(prevHash: string, r: ChainedFields): string {
  const canonical = JSON.stringify(CHAIN_FIELDS.map((f) => (f === 'id' ? Number(r.id) : f === 'row_count' ? (r.row_count === null ? null : Number(r.row_count)) : (r[f] ?? null))));
  return createHash('sha256').update(`${prevHash}\n${canonical}`).digest('hex');
}

/** Groups larger than this are split: keeps one INSERT under both engines' bind-parameter limits. */
const MAX_GROUP = 500;
/** Any 64-bit number unique to this lock; "parallax audit" in ASCII, truncated. */
const PG_LOCK_KEY = 0x7061726c6178;

type Row = Selectable<AuditEventTable>;

export function toAuditRecord(r: Row): AuditRecord {
  return {
    id: Number(r.id),
    at: r.at,
    event: r.event,
    principal: r.principal,
    role: r.role,
    source: r.source,
    client: r.client,
    purpose: r.purpose,
    objectIds: r.object_ids ? r.object_ids.split(',') : [],
    rowCount: r.row_count === null ? null : Number(r.row_count),
    outcome: r.outcome,
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** ISO-8601 in UTC with milliseconds, the form `at` is stored in, so text comparison orders by time. */
export function isoInstant(s: string): string {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new RangeError('not an ISO-8601 date or time');
  return new Date(t).toISOString();
}

interface Pending {
  e: AuditEvent;
  resolve(h: AuditHead): void;
  reject(err: unknown): void;
}

export function auditLog(store: ControlStore, opts: AuditLogOptions = {}): AuditLog {
  const pending: Pending[] = [];
  let worker: Promise<void> | null = null;
  let legacyChecked = false;

  /** Runs `fn` in a transaction that holds the audit write lock of the whole store (all processes). */
  async function locked<T>(fn: (db: Kysely<ControlDatabase>) => Promise<T>): Promise<T> {
    if (store.engine === 'postgres') {
      return store.db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${PG_LOCK_KEY}::bigint)`.execute(trx);
        return fn(trx);
      });
    }
    // Kysely's BEGIN is DEFERRED: two processes could both read the same head before either writes.
    // IMMEDIATE takes the write lock first (waiting up to busy_timeout for another process).
    return store.db.connection().execute(async (conn) => {
      await sql`BEGIN IMMEDIATE`.execute(conn);
      try {
        const r = await fn(conn);
        await sql`COMMIT`.execute(conn);
        return r;
      } catch (err) {
        await sql`ROLLBACK`.execute(conn).catch(() => undefined);
        throw err;
      }
    });
  }

  /**
   * Rows written before the chain existed (migration 0002) have no hash: chain them once, in id order,
   * but only while no chained row exists; afterwards an unhashed row is tampering for `verify` to report,
   * never something to "repair" (which would launder edits).
   */
  async function chainLegacyRows(db: Kysely<ControlDatabase>): Promise<void> {
    const anyChained = await db.selectFrom('audit_events').select('id').where('hash', 'is not', null).limit(1).executeTakeFirst();
    if (anyChained) return;
    let prev = GENESIS_HASH;
    let after = 0;
    for (;;) {
      const rows = await db.selectFrom('audit_events').selectAll().where('id', '>', after).orderBy('id').limit(1000).execute();
      if (rows.length === 0) return;
      for (const r of rows) {
        const hash = chainHash(prev, { ...r, id: Number(r.id) });
        await db.updateTable('audit_events').set({ prev_hash: prev, hash }).where('id', '=', r.id).execute();
        prev = hash;
        after = Number(r.id);
      }
    }
  }

  async function writeGroup(events: readonly AuditEvent[]): Promise<AuditHead[]> {
    return locked(async (db) => {
      if (!legacyChecked) {
        await chainLegacyRows(db);
        legacyChecked = true;
      }
      const last = await db.selectFrom('audit_events').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
      // The chain continues from the last hashed record; an unhashed head can only be a forged row, which
      // `verify` reports; appends go on rather than stop the service.
      const lastChained =
        last && last.hash === null
          ? await db.selectFrom('audit_events').select(['hash']).where('hash', 'is not', null).orderBy('id', 'desc').limit(1).executeTakeFirst()
          : last;
      let id = last ? Number(last.id) : 0;
      let prev = lastChained?.hash ?? GENESIS_HASH;
      const at = new Date().toISOString();
      const heads: AuditHead[] = [];
      const values = events.map((e) => {
        id += 1;
        const fields = {
          id,
          at,
          event: e.event,
          principal: e.principal,
          role: e.role ?? null,
          source: e.source,
          client: e.client ?? null,
          purpose: e.purpose ?? null,
          object_ids: e.objectIds?.length ? e.objectIds.join(',') : null,
          row_count: e.rowCount ?? null,
          outcome: e.outcome,
          detail: e.detail ?? null,
        };
        const hash = chainHash(prev, fields);
        const row = { ...fields, prev_hash: prev, hash };
        prev = hash;
        heads.push({ id, hash });
        return row;
      });
      await db.insertInto('audit_events').values(values).execute();
      return heads;
    });
  }

  async function drain(): Promise<void> {
    for (;;) {
      if (pending.length === 0) {
        // Cleared in the same synchronous step that sees the queue empty: an append made after this
        // point finds no worker and starts one; one made before it was already taken by this loop.
        worker = null;
        return;
      }
      const group = pending.splice(0, MAX_GROUP);
      let heads: AuditHead[];
      try {
        heads = await writeGroup(group.map((p) => p.e));
      } catch (err) {
        for (const p of group) p.reject(err);
        continue;
      }
      group.forEach((p, i) => p.resolve(heads[i]!));
      // A failed checkpoint must not fail the appends it follows; `verify` reports an unprotected tail.
      if (opts.afterAppend) await opts.afterAppend(heads[heads.length - 1]!).catch(() => undefined);
    }
  }

  function kick(): void {
    if (worker) return;
    // `worker` is cleared in the same synchronous step that sees the queue empty, so an append made
    // after that step always starts a new worker.
    worker = drain();
  }

  function matching(f: Omit<AuditFilter, 'limit' | 'offset'>) {
    return (eb: ExpressionBuilder<ControlDatabase, 'audit_events'>) => {
      const c: Expression<SqlBool>[] = [];
      if (f.principal !== undefined) c.push(eb('principal', '=', f.principal));
      if (f.event !== undefined) c.push(eb('event', '=', f.event));
      if (f.outcome !== undefined) c.push(eb('outcome', '=', f.outcome));
      if (f.from !== undefined) c.push(eb('at', '>=', isoInstant(f.from)));
      if (f.to !== undefined) c.push(eb('at', '<', isoInstant(f.to)));
      return eb.and(c);
    };
  }

  return {
    append(e) {
      return new Promise<AuditHead>((resolve, reject) => {
        pending.push({ e, resolve, reject });
        kick();
      });
    },
    async recent(limit) {
      const rows = await store.db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toAuditRecord);
    },
    async page(f) {
      const rows = await store.db
        .selectFrom('audit_events')
        .selectAll()
        .where(matching(f))
        .orderBy('id', 'desc')
        .limit(f.limit)
        .offset(f.offset ?? 0)
        .execute();
      const total = await store.db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll().as('n'))
        .where(matching(f))
        .executeTakeFirst();
      return { total: Number(total?.n ?? 0), rows: rows.map(toAuditRecord) };
    },
    async head() {
      const r = await store.db.selectFrom('audit_events').select(['id', 'hash']).where('hash', 'is not', null).orderBy('id', 'desc').limit(1).executeTakeFirst();
      return r ? { id: Number(r.id), hash: r.hash! } : null;
    },
    async flush() {
      while (worker) await worker;
    },
  };
}
