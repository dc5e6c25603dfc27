/**
 * Server-side sessions (access.md): an opaque random token in an HttpOnly cookie, stored only as its
 * SHA-256, with a per-session CSRF token; idle (15 min) and absolute (8 h) timeouts.
 *
 * Invariants:
 * - The token itself is never stored or logged; a stolen copy of the table cannot be replayed.
 * - An ended session never resolves again; ending records why (sign-out, idle, absolute, lock, quota).
 * - `last_seen_at` is refreshed at most every 30 s, so a busy session costs one read per request, not a write.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ControlStore } from '../control/index.ts';
import type { AccessSettings } from './access-settings.ts';

export interface SessionRecord {
  idHash: string;
  userName: string;
  csrfToken: string;
  createdAt: string;
  purpose: string | null;
}

export interface SessionStore {
  create(userName: string, o: { source: string; client: string | null; purpose: string | null }): Promise<{ token: string; session: SessionRecord }>;
  resolve(token: string): Promise<SessionRecord | null>;
  end(idHash: string, reason: string): Promise<void>;
  endAllFor(userName: string, reason: string): Promise<number>;
  openCount(userName: string): Promise<number>;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const TOUCH_MS = 30_000;

export function sessionStore(control: ControlStore, settings: AccessSettings, now: () => Date = () => new Date()): SessionStore {
  const db = control.db;
  const end = async (idHash: string, reason: string) => {
    await db.updateTable('sessions').set({ ended_at: now().toISOString(), end_reason: reason }).where('id_hash', '=', idHash).where('ended_at', 'is', null).execute();
  };
  return {
    async create(userName, o) {
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const at = now().toISOString();
      const idHash = tokenHash(token);
      await db
        .insertInto('sessions')
        .values({ id_hash: idHash, user_name: userName, csrf_token: csrfToken, created_at: at, last_seen_at: at, source: o.source, client: o.client, purpose: o.purpose, ended_at: null, end_reason: null })
        .execute();
      return { token, session: { idHash, userName, csrfToken, createdAt: at, purpose: o.purpose } };
    },
    async resolve(token) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
      const idHash = tokenHash(token);
      const s = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      if (!s || s.ended_at) return null;
      const t = now().getTime();
      if (t - Date.parse(s.created_at) > settings.absoluteMs) {
        await end(idHash, 'absolute timeout');
        return null;
      }
      const seen = Date.parse(s.last_seen_at);
      if (t - seen > settings.idleMs) {
        await end(idHash, 'idle timeout');
        return null;
      }
      if (t - seen > TOUCH_MS) await db.updateTable('sessions').set({ last_seen_at: new Date(t).toISOString() }).where('id_hash', '=', idHash).execute();
      return { idHash, userName: s.user_name, csrfToken: s.csrf_token, createdAt: s.created_at, purpose: s.purpose };
    },
    end,
    async endAllFor(userName, reason) {
      const r = await db.updateTable('sessions').set({ ended_at: now().toISOString(), end_reason: reason }).where('user_name', '=', userName).where('ended_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async openCount(userName) {
      const r = await db.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).where('user_name', '=', userName).where('ended_at', 'is', null).executeTakeFirst();
      return Number(r?.n ?? 0);
    },
  };
}
