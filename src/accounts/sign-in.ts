/**
 * Sign-in: password check, lockout after repeated failures, recertification, session creation.
 *
 * Invariants:
 * - The answer to a wrong name and to a wrong password is the same message and takes the same time, so
 *   sign-in cannot be used to find account names.
 * - A locked, suspended or not-yet-active account never gets a session, even with the right password; the
 *   message says why and what to do (these states are only revealed after the password matched).
 * - The failure that reaches the limit locks the account (access.md: lock after 5 failures).
 */
import type { AccessSettings } from './access-settings.ts';
import { AccountError } from './account-errors.ts';
import type { Account, AccountService } from './account-service.ts';
import { verifyPassword } from './password.ts';
import type { SessionRecord, SessionStore } from './session-store.ts';

export interface SignInResult {
  account: Account;
  token: string;
  session: SessionRecord;
}

export type SignIn = (o: { name: string; password: string; purpose?: string | null; source: string; client: string | null }) => Promise<SignInResult>;

export function signInService(accounts: AccountService, sessions: SessionStore, settings: AccessSettings): SignIn {
  return async (o) => {
    const stored = await accounts.passwordHash(o.name);
    const ok = await verifyPassword(stored, o.password);
    let account = ok ? await accounts.get(o.name) : null;
    if (!ok || !account) {
      const r = await accounts.recordFailure(o.name);
      if (r.locked) throw new AccountError('locked', 'account locked after repeated failed sign-ins; an administrator must unlock it');
      throw new AccountError('unauthorized', 'name or password is wrong');
    }
    account = await accounts.checkRecertification(account);
    switch (account.status) {
      case 'active':
        break;
      case 'locked':
        throw new AccountError('locked', `account locked (${account.lockReason ?? 'by an administrator'}); an administrator must unlock it`);
      case 'suspended':
        throw new AccountError('suspended', `account suspended (${account.lockReason ?? 'recertification due'}); ask an administrator to renew it`);
      case 'requested':
        throw new AccountError('forbidden', 'account requested but not yet approved by the supervisor');
      case 'approved':
        throw new AccountError('forbidden', 'account approved but not yet activated by an administrator');
      default:
        throw new AccountError('forbidden', `account ${account.status}`);
    }
    const purpose = o.purpose?.trim() ? o.purpose.trim().slice(0, 200) : null;
    if (settings.requirePurpose && !purpose) throw new AccountError('bad_request', 'purpose: this deployment requires a purpose or case reference for every session');
    await accounts.recordSuccess(account.name);
    const { token, session } = await sessions.create(account.name, { source: o.source, client: o.client, purpose });
    return { account, token, session };
  };
}
