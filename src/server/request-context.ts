/**
 * Typed request context: who is asking, what they may do and what they may read, attached to every request
 * before any route runs. Module augmentation makes these typed everywhere.
 *
 * Invariants: `scope` and `permissions` come only from the policy decision for the signed-in user (or the
 * empty scope for anonymous requests); routes never build or widen them. `actor` is what the audit trail
 * records for the request.
 */
import type { Scope } from '../query/index.ts';
import type { Permission } from '../access/permissions.ts';
import type { ActionContext } from '../runtime/audited.ts';

export interface SignedInUser {
  readonly name: string;
  readonly displayName: string;
  readonly role: string;
  readonly provider: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: string;
    role: string | null;
    scope: Scope;
    user: SignedInUser | null;
    permissions: ReadonlySet<Permission>;
    actor: ActionContext;
    /** SHA-256 of the session token, when signed in; identifies the session without revealing it. */
    sessionHash: string | null;
    /** The session's CSRF token; writes must echo it in `x-csrf-token`. */
    csrfToken: string | null;
    /**
     * Counts rows and bytes a response discloses against the caller's 30-day download quota. Call it before
     * sending an export or a page of lines; it throws QuotaExceededError (and locks the account) when this
     * response would cross the limit, so the crossing response is never sent.
     */
    chargeDownload(d: { rows: number; bytes: number; route: string }): Promise<void>;
  }
}

export {};
