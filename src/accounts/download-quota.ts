/**
 * Download quotas (access.md): rows and bytes a user may export or page through per 30 days, per role.
 *
 * Invariants:
 * - Charged before the response is sent: the response that would cross the limit is refused, the account is
 *   locked and its sessions end, so the quota is a hard bound on what one account can take out.
 * - Usage counts downloads in the last 30 days after the last administrator unlock (`quota_reset_at`), so
 *   an unlock with a written reason gives the user a fresh allowance.
 * - Checking and recording happen in one transaction per user, so two parallel exports cannot both slip
 *   under the limit.
 * - The administrators' overview (`list`) sums every account's window in one control-store query, with the
 *   same window rule written in SQL (a CASE, not GREATEST/max, which treat NULL differently on SQLite and
 *   PostgreSQL), so it reports exactly what `charge` would count.
 */
import type { ControlStore } from '../control/index.ts';
import type { AccountStatus } from '../control/control-schema.ts';
import type { Role } from '../access/index.ts';
import type { AccessSettings } from './access-settings.ts';
import { AccountError } from './account-errors.ts';
import type { Account, AccountService } from './account-service.ts';

export interface DownloadCharge {
  rows: number;
  bytes: number;
  route: string;
}

export interface QuotaUsage {
  rows: number;
  bytes: number;
  limitRows: number;
  limitBytes: number;
  since: string;
}

/** One account's use of its allowance, as the administrators see it. */
export interface AccountQuotaUsage extends QuotaUsage {
  id: number;
  name: string;
  displayName: string;
  role: Role;
  status: AccountStatus;
  /** Locked because a download would have crossed the allowance (not for failed sign-ins or other reasons). */
  lockedByQuota: boolean;
}

/** The lock reason `charge` writes; `list` recognises quota locks by it. */
export const QUOTA_LOCK_REASON = 'download quota reached';

/** Accounts that never became usable hold no downloads and are left out of the overview. */
const NEVER_ACTIVE: readonly AccountStatus[] = ['requested', 'approved', 'rejected'];

export interface DownloadQuotas {
  usage(a: Account): Promise<QuotaUsage>;
  /** Every account that has been activated, with its usage in its current window, in account id order. */
  list(): Promise<AccountQuotaUsage[]>;
  /** Records the charge, or locks the account and throws when it would cross the limit. */
  charge(a: Account, c: DownloadCharge): Promise<QuotaUsage>;
}

export class QuotaExceededError extends AccountError {
  constructor(message: string) {
    super('locked', message);
    this.name = 'QuotaExceededError';
  }
}

const WINDOW_MS = 30 * 86_400_000;

export function downloadQuotas(control: ControlStore, settings: AccessSettings, accounts: AccountService, now: () => Date = () => new Date()): DownloadQuotas {
  const db = control.db;
  // One queue per process serialises charges of the same user; the transaction covers other processes.
  const queues = new Map<string, Promise<unknown>>();
  const since = (a: Account) => {
    const windowStart = now().getTime() - WINDOW_MS;
    const reset = a.quotaResetAt ? Date.parse(a.quotaResetAt) : 0;
    return new Date(Math.max(windowStart, reset)).toISOString();
  };
  const usageIn = async (trx: typeof db, a: Account): Promise<QuotaUsage> => {
    const from = since(a);
    const r = await trx
      .selectFrom('downloads')
      .select((eb) => [eb.fn.coalesce(eb.fn.sum<number>('row_count'), eb.lit(0)).as('rows'), eb.fn.coalesce(eb.fn.sum<number>('bytes'), eb.lit(0)).as('bytes')])
      .where('user_name', '=', a.name)
      .where('at', '>', from)
      .executeTakeFirst();
    const q = settings.quotas[a.role];
    return { rows: Number(r?.rows ?? 0), bytes: Number(r?.bytes ?? 0), limitRows: q.rows, limitBytes: q.bytes, since: from };
  };
  return {
    usage: (a) => usageIn(db, a),
    async list() {
      const windowStart = new Date(now().getTime() - WINDOW_MS).toISOString();
      const rows = await db
        .selectFrom('users as u')
        .leftJoin('downloads as d', (j) =>
          j.onRef('d.user_name', '=', 'u.name').on((eb) => eb('d.at', '>', eb.case().when('u.quota_reset_at', '>', windowStart).then(eb.ref('u.quota_reset_at')).else(windowStart).end())),
        )
        .where('u.status', 'not in', NEVER_ACTIVE)
        .select((eb) => [
          'u.id', 'u.name', 'u.display_name', 'u.role', 'u.status', 'u.lock_reason',
          eb.case().when('u.quota_reset_at', '>', windowStart).then(eb.ref('u.quota_reset_at')).else(windowStart).end().as('since'),
          eb.fn.coalesce(eb.fn.sum<number>('d.row_count'), eb.lit(0)).as('rows'),
          eb.fn.coalesce(eb.fn.sum<number>('d.bytes'), eb.lit(0)).as('bytes'),
        ])
        .groupBy(['u.id', 'u.name', 'u.display_name', 'u.role', 'u.status', 'u.lock_reason', 'u.quota_reset_at'])
        .orderBy('u.id')
        .execute();
      return rows.map((r) => {
        // Roles are checked when an account is created; an unknown one (a role removed since) gets no allowance.
        const q = settings.quotas[r.role as Role] ?? { rows: 0, bytes: 0 };
        return {
          id: Number(r.id),
          name: r.name,
          displayName: r.display_name,
          role: r.role as Role,
          status: r.status,
          rows: Number(r.rows),
          bytes: Number(r.bytes),
          limitRows: q.rows,
          limitBytes: q.bytes,
          since: String(r.since),
          lockedByQuota: r.status === 'locked' && r.lock_reason === QUOTA_LOCK_REASON,
        };
      });
    },
    charge(a, c) {
      const prev = queues.get(a.name) ?? Promise.resolve();
      const next = prev.catch(() => undefined).then(async () => {
        const over = await db.transaction().execute(async (trx) => {
          const u = await usageIn(trx as never, a);
          if (u.rows + c.rows > u.limitRows || u.bytes + c.bytes > u.limitBytes) return u;
          await trx.insertInto('downloads').values({ user_name: a.name, at: now().toISOString(), route: c.route, row_count: c.rows, bytes: c.bytes }).execute();
          return { ...u, rows: u.rows + c.rows, bytes: u.bytes + c.bytes, ok: true as const };
        });
        if ('ok' in over) return over;
        await accounts.lock(a.name, QUOTA_LOCK_REASON);
        throw new QuotaExceededError(
          `download quota reached: this response would take the account past ${over.limitRows} rows or ${over.limitBytes} bytes in 30 days ` +
            `(${over.rows} rows, ${over.bytes} bytes used). The account is locked and signed out; an administrator must unlock it with a written reason.`,
        );
      });
      queues.set(a.name, next);
      void next.finally(() => {
        if (queues.get(a.name) === next) queues.delete(a.name);
      }).catch(() => undefined);
      return next as Promise<QuotaUsage>;
    },
  };
}
