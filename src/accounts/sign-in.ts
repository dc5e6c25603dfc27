/**
 * Sign-in: password check, lockout after repeated failures, recertification, session creation.
 *
 * Invariants:
 * - One answer for every refusal that could tell an outsider something: an unknown name, a wrong password,
 *   and an account that is not active (locked, suspended, requested, approved, rejected) all get the same
 *   401 with the same message, whatever the password. The account's status is read before the password
 *   is judged, and a non-active account is refused even with the right password, so guessing cannot go on
 *   against a locked account and be confirmed later.
 * - The only status ever told is the one that arises from a correct password on an active account: a
 *   recertification that falls due now suspends the account and says so (the caller has proved they hold it).
 * - The same work for every refused attempt: the password is verified against the account's hash or a
 *   dummy hash of the same cost (password.ts), and the failure is counted by one UPDATE that matches only
 *   an active account of that name (it matches nothing for an unknown or locked one), so neither the answer
 *   nor the time tells whether a name exists. The failure that reaches the limit locks the account inside
 *   that same UPDATE (access.md: lock after 5 failures) and is reported to the caller as `lockedNow`, once:
 *   later attempts match no active account and lock nothing again.
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

/** What the audit trail records about a refused sign-in; never shown to the caller. */
export type SignInRefusal = 'unknown-account' | 'wrong-password' | `account-${string}`;

/** The one answer an outsider gets for every refused sign-in (401). */
export const SIGN_IN_REFUSED =
  'sign-in refused: the name or password is not right, or the account cannot sign in now (an account locks after 5 failed attempts); ' +
  'check both and try again, or ask an administrator';

export class SignInRefusedError extends AccountError {
  constructor(
    /** Why, for the audit trail only. */
    readonly refusal: SignInRefusal,
    /** This attempt locked the account (the failure that reached the limit). */
    readonly lockedNow: boolean,
  ) {
    super('unauthorized', SIGN_IN_REFUSED);
    this.name = 'SignInRefusedError';
  }
}

export type SignIn = (o: { name: string; password: string; purpose?: string | null; source: string; client: string | null }) => Promise<SignInResult>;

export function signInService(accounts: AccountService, sessions: SessionStore, settings: AccessSettings): SignIn {
  return async (o) => {
    const found = await accounts.signInRecord(o.name);
    // Verified in every case (a dummy hash when the name is unknown), so the time does not depend on the status.
    const ok = await verifyPassword(found?.passwordHash ?? null, o.password);
    if (!found || found.account.status !== 'active' || !ok) {
      // Counted only against an active account; the same statement runs for every refusal.
      const { lockedNow } = await accounts.recordFailure(o.name);
      const refusal: SignInRefusal = !found ? 'unknown-account' : found.account.status !== 'active' ? `account-${found.account.status}` : 'wrong-password';
      throw new SignInRefusedError(refusal, lockedNow);
    }
    // The password is right and the account active: only now may the caller learn about its status.
    const account = await accounts.checkRecertification(found.account);
    if (account.status === 'suspended') {
      throw new AccountError('suspended', `account suspended (${account.lockReason ?? 'recertification due'}); ask an administrator to renew it`);
    }
    const purpose = o.purpose?.trim() ? o.purpose.trim().slice(0, 200) : null;
    if (settings.requirePurpose && !purpose) throw new AccountError('bad_request', 'purpose: this deployment requires a purpose or case reference for every session');
    await accounts.recordSuccess(account.name);
    const { token, session } = await sessions.create(account.name, { source: o.source, client: o.client, purpose });
    return { account, token, session };
  };
}
