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
 */
import type { ControlStore } from '../control/index.ts';
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

export interface DownloadQuotas {
  usage(a: Account): Promise<QuotaUsage>;
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
        await accounts.lock(a.name, 'download quota reached');
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
