/**
 * HTTP contract of sign-in and the session, the account workflow, the audit trail and the disclosure
 * ledger.
 *
 * Invariants: pure types (the web imports this file); src/server/session-routes.ts, account-routes.ts and
 * audit-routes.ts return these shapes, checked by `tsc`. No shape here carries a password hash or a session
 * token: the session travels only in an HttpOnly cookie.
 */

export interface ScopeGrant {
  category: string;
  providers: '*' | readonly string[];
  level: 'row' | 'aggregate';
}

export interface QuotaUsage {
  rows: number;
  bytes: number;
  limitRows: number;
  limitBytes: number;
  since: string;
}

/** POST /api/session and GET /api/me: the signed-in session. */
export interface Session {
  user: { name: string; displayName: string; role: string; provider: string | null; agency: string };
  permissions: string[];
  scope: { grants: readonly ScopeGrant[] };
  csrfToken: string;
  requiresPurpose: boolean;
  /** The purpose or case reference stated at sign-in; recorded on every audit event of the session. */
  purpose: string | null;
  policyVersion: string;
  quota: QuotaUsage;
  session: { idleMinutes: number; absoluteHours: number };
  /** The client address the server sees. */
  source: string;
}

/** GET /api/session/settings: what the sign-in form must ask for, before any session. */
export interface SessionSettings {
  requirePurpose: boolean;
}

export type AccountStatus = 'requested' | 'approved' | 'active' | 'suspended' | 'locked' | 'disabled' | 'rejected';

/** An account as the people managing it see it (GET /api/accounts, the workflow steps). */
export interface Account {
  id: number;
  name: string;
  displayName: string;
  agency: string;
  supervisor: string | null;
  role: string;
  provider: string | null;
  justification: string | null;
  status: AccountStatus;
  lockReason: string | null;
  failedSignIns: number;
  requestedAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  activatedBy: string | null;
  activatedAt: string | null;
  trainingAttestedAt: string | null;
  reviewDueAt: string | null;
  quotaResetAt: string | null;
}

/** GET /api/accounts/quotas: one activated account's use of its role's download allowance. */
export interface AccountQuota extends QuotaUsage {
  id: number;
  name: string;
  displayName: string;
  role: string;
  status: AccountStatus;
  /** Locked because a download would have crossed the allowance; an unlock starts a fresh window. */
  lockedByQuota: boolean;
}

/**
 * POST /api/accounts/requests (202): the same answer whether the request was recorded or not (a taken name or
 * an inactive supervisor is not revealed to an anonymous caller).
 */
export interface AccountRequested {
  name: string;
  status: 'requested';
  supervisor: string;
  message: string;
}

/** GET /api/policies. */
export interface Policies {
  version: string;
  files: readonly { name: string; text: string }[];
}

export interface AuditEvent {
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
  outcome: 'allowed' | 'denied' | 'error';
  detail: string | null;
  prevHash: string | null;
  hash: string | null;
}

/** GET /api/audit. */
export interface AuditPage {
  total: number;
  limit: number;
  offset: number;
  rows: AuditEvent[];
}

export interface AuditProblem {
  kind: string;
  recordId?: number;
  checkpointId?: number;
  fileLine?: number;
  message: string;
}

/** GET /api/audit/verify. */
export interface AuditVerifyReport {
  intact: boolean;
  records: number;
  firstId: number | null;
  head: { id: number; hash: string } | null;
  /** The first bad record in chain order, or null when the chain and its checkpoints agree. */
  firstBad: { id: number; kind: string; message: string } | null;
  problems: AuditProblem[];
  checkpoints: { rows: number; fileLines: number; validSignatures: number; lastCoveredId: number | null; keyId: string | null; file: string };
  /** Records after the last valid checkpoint: their removal or rewriting cannot be detected. */
  afterLastCheckpoint: number;
  checked: string[];
  cannotDetect: string[];
}

/** One entry of the disclosure ledger. */
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

/** GET /api/disclosures. */
export interface DisclosurePage {
  total: number;
  limit: number;
  offset: number;
  rows: Disclosure[];
}
