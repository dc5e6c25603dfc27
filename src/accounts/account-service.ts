/**
 * Accounts and their workflow (access.md): request → supervisor approval → administrator activation;
 * suspension when the training attestation or the review date passes; renewal; locks and unlocks.
 *
 * Invariants:
 * - No self-service: nobody approves, activates, renews or unlocks their own account, and only a principal
 *   holding `accounts:create-admin` activates an account with an administrative role. Roles change only by
 *   a new, approved request (there is no "set role" operation at all).
 * - Every transition checks the current status in its UPDATE's WHERE clause, so two administrators acting at
 *   once cannot both succeed (the second gets a conflict).
 * - The password hash never leaves this module's queries: `Account` has no hash field.
 * - Callers audit each operation (the HTTP routes and CLI wrap them in `audited`); the service returns what
 *   the audit record needs (account name as the object id).
 */
import { sql } from 'kysely';
import type { ControlStore } from '../control/index.ts';
import type { AccountStatus, UserTable } from '../control/control-schema.ts';
import { isRole, type Permission, type Role } from '../access/index.ts';
import type { AccessSettings } from './access-settings.ts';
import { AccountError } from './account-errors.ts';
import { hashPassword } from './password.ts';
import type { SessionStore } from './session-store.ts';

export interface Account {
  id: number;
  name: string;
  displayName: string;
  agency: string;
  supervisor: string | null;
  role: Role;
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

export interface AccountRequest {
  name: string;
  displayName: string;
  agency: string;
  supervisor: string;
  role: string;
  justification: string;
  password: string;
  provider?: string | null | undefined;
}

export interface Actor {
  name: string;
  permissions: ReadonlySet<Permission>;
}

export const ADMIN_ROLES: ReadonlySet<Role> = new Set(['administrator', 'security-administrator', 'master-administrator']);

const NAME = /^[a-z0-9][a-z0-9._-]{2,63}$/;
const DAY = 86_400_000;

export interface AccountService {
  get(name: string): Promise<Account | null>;
  getById(id: number): Promise<Account | null>;
  list(filter?: { status?: AccountStatus }): Promise<Account[]>;
  /** The first master administrator; refused once one exists. */
  createMaster(o: { name: string; displayName: string; password: string }): Promise<Account>;
  /** Direct creation by the custodian of the data directory (CLI); active at once. */
  add(o: { name: string; displayName?: string; agency?: string; role: string; provider?: string | null; password: string; by: string }): Promise<Account>;
  request(r: AccountRequest): Promise<AccountRequestOutcome>;
  approve(id: number, by: Actor): Promise<Account>;
  activate(id: number, by: Actor, o?: { trainingAttestedAt?: string }): Promise<Account>;
  reject(id: number, by: Actor, reason: string): Promise<Account>;
  renew(id: number, by: Actor, o: { trainingAttestedAt: string; reviewDueAt?: string }): Promise<Account>;
  unlock(id: number, by: Actor | { name: string; custodian: true }, reason: string): Promise<Account>;
  /** Locks an account and ends its open sessions. */
  lock(name: string, reason: string): Promise<void>;
  /** Applies recertification: an active account past its training or review date becomes suspended. */
  checkRecertification(a: Account): Promise<Account>;
  /**
   * Counts a failed sign-in against the active account of that name, locking it when this failure reaches
   * the limit, in one UPDATE that matches nothing for an unknown or non-active name (sign-in.ts).
   */
  recordFailure(name: string): Promise<{ lockedNow: boolean }>;
  recordSuccess(name: string): Promise<void>;
  /** The account and its password hash in one read, for sign-in only; null for an unknown name. */
  signInRecord(name: string): Promise<{ account: Account; passwordHash: string | null } | null>;
}

/**
 * What an anonymous account request learns: the same whether the request was recorded or not, so the
 * request form cannot be used to find out which names exist (the reason is in the audit trail only).
 */
export interface AccountRequestOutcome {
  /** The account created, or null when the name is taken or the supervisor is not an active account. */
  recorded: Account | null;
  /** For the audit trail: why nothing was recorded. */
  refusal: 'name-taken' | 'supervisor-not-active' | null;
}

function toAccount(r: UserTable & { id: number }): Account {
  return {
    id: Number(r.id),
    name: r.name,
    displayName: r.display_name,
    agency: r.agency,
    supervisor: r.supervisor,
    role: r.role as Role,
    provider: r.provider,
    justification: r.justification,
    status: r.status,
    lockReason: r.lock_reason,
    failedSignIns: Number(r.failed_signins),
    requestedAt: r.requested_at,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    activatedBy: r.activated_by,
    activatedAt: r.activated_at,
    trainingAttestedAt: r.training_attested_at,
    reviewDueAt: r.review_due_at,
    quotaResetAt: r.quota_reset_at,
  };
}

const COLUMNS = [
  'id', 'name', 'display_name', 'agency', 'supervisor', 'role', 'provider', 'justification', 'status', 'lock_reason', 'failed_signins',
  'requested_at', 'approved_by', 'approved_at', 'activated_by', 'activated_at', 'training_attested_at', 'review_due_at', 'quota_reset_at',
] as const;

/** The checks of a new account's name, role and provider that reveal nothing about other accounts. */
function checkNewAccount(name: string, role: string, provider: string | null): void {
  if (!NAME.test(name)) throw new AccountError('bad_request', 'name: 3 to 64 characters: lower-case letters, digits, dot, dash, underscore; starting with a letter or digit');
  if (!isRole(role)) throw new AccountError('bad_request', `role: unknown role; one of investigator, customs-officer, executive, auditor, partner-analyst, administrator, security-administrator`);
  if (role === 'partner-analyst' && !provider) throw new AccountError('bad_request', 'provider: a partner analyst needs the provider tag of their agency (--provider CC)');
  if (provider !== null && !/^[A-Z0-9]{2,10}$/.test(provider)) throw new AccountError('bad_request', 'provider: 2 to 10 upper-case letters or digits');
}

function checkIso(field: string, v: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  const t = Date.parse(v);
  const d = new Date(t);
  // Date.parse rolls 2024-02-31 over into March; a date that is not on the calendar is refused instead.
  if (!m || Number.isNaN(t) || (v.length === 10 && (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() + 1 !== Number(m[2]) || d.getUTCDate() !== Number(m[3])))) {
    throw new AccountError('bad_request', `${field}: expected a calendar date (YYYY-MM-DD)`);
  }
  return d.toISOString();
}

export function accountService(control: ControlStore, settings: AccessSettings, sessions: SessionStore, now: () => Date = () => new Date()): AccountService {
  const db = control.db;
  const iso = () => now().toISOString();
  const plusDays = (days: number, from = now()) => new Date(from.getTime() + days * DAY).toISOString();

  const byId = async (id: number) => {
    const r = await db.selectFrom('users').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return r ? toAccount(r as never) : null;
  };
  const byName = async (name: string) => {
    const r = await db.selectFrom('users').select(COLUMNS).where('name', '=', name).executeTakeFirst();
    return r ? toAccount(r as never) : null;
  };
  const mustGet = async (id: number) => {
    const a = await byId(id);
    if (!a) throw new AccountError('not_found', `account ${id} does not exist`);
    return a;
  };
  /**
   * A training attestation date: a day that has happened (a day of clock skew allowed) and is still within the
   * training validity period, so it neither postdates the training nor extends it beyond the policy.
   */
  const attestation = (v: string) => {
    const attested = checkIso('trainingAttestedAt', v);
    const t = Date.parse(attested);
    if (t > now().getTime() + DAY) throw new AccountError('bad_request', 'trainingAttestedAt: cannot be in the future; give the day the training was completed');
    if (t + settings.trainingValidDays * DAY <= now().getTime()) throw new AccountError('bad_request', `trainingAttestedAt: that attestation has already expired (valid ${settings.trainingValidDays} days); record a current one`);
    return attested;
  };
  const notSelf = (a: Account, by: { name: string }, what: string) => {
    if (a.name === by.name) throw new AccountError('forbidden', `you cannot ${what} your own account; ask another administrator`);
  };
  /** Runs a guarded UPDATE; zero rows changed means someone else moved the account first. */
  const transition = async (id: number, from: readonly AccountStatus[], set: Partial<Omit<UserTable, 'id'>>, what: string) => {
    const r = await db.updateTable('users').set(set).where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) {
      const cur = await mustGet(id);
      throw new AccountError('conflict', `account ${cur.name} is ${cur.status}; cannot ${what} it (expected ${from.join(' or ')})`);
    }
    return mustGet(id);
  };
  const insert = async (v: Omit<UserTable, 'id'>) => {
    checkNewAccount(v.name, v.role, v.provider);
    if (await byName(v.name)) throw new AccountError('conflict', `account ${v.name} already exists`);
    await db.insertInto('users').values(v).execute();
    return (await byName(v.name))!;
  };
  const base = (name: string, role: string, provider: string | null | undefined) => ({
    name,
    role,
    provider: provider ? provider : null,
    lock_reason: null,
    failed_signins: 0,
    requested_at: iso(),
    approved_by: null,
    approved_at: null,
    activated_by: null,
    activated_at: null,
    quota_reset_at: null,
  });

  const service: AccountService = {
    get: byName,
    getById: byId,
    async list(filter = {}) {
      let q = db.selectFrom('users').select(COLUMNS).orderBy('id');
      if (filter.status) q = q.where('status', '=', filter.status);
      return (await q.execute()).map((r) => toAccount(r as never));
    },
    async createMaster(o) {
      const existing = await db.selectFrom('users').select('name').where('role', '=', 'master-administrator').executeTakeFirst();
      if (existing) throw new AccountError('conflict', `a master administrator already exists (${existing.name}); further administrators are created by them`);
      const hash = await hashPassword(o.password);
      return insert({
        ...base(o.name, 'master-administrator', null),
        display_name: o.displayName,
        agency: 'system',
        supervisor: null,
        justification: 'bootstrap',
        password_hash: hash,
        status: 'active',
        approved_by: 'custodian',
        approved_at: iso(),
        activated_by: 'custodian',
        activated_at: iso(),
        training_attested_at: iso(),
        review_due_at: plusDays(settings.reviewPeriodDays),
      });
    },
    async add(o) {
      const hash = await hashPassword(o.password);
      return insert({
        ...base(o.name, o.role, o.provider),
        display_name: o.displayName ?? o.name,
        agency: o.agency ?? 'unspecified',
        supervisor: null,
        justification: `added by ${o.by}`,
        password_hash: hash,
        status: 'active',
        approved_by: o.by,
        approved_at: iso(),
        activated_by: o.by,
        activated_at: iso(),
        training_attested_at: iso(),
        review_due_at: plusDays(settings.reviewPeriodDays),
      });
    },
    async request(r) {
      if (r.role === 'master-administrator') throw new AccountError('bad_request', 'role: the master administrator is created with `parallax users create-master`, not requested');
      for (const [field, v, max] of [['displayName', r.displayName, 200], ['agency', r.agency, 200], ['justification', r.justification, 2000]] as const) {
        if (!v || !v.trim() || v.length > max) throw new AccountError('bad_request', `${field}: required, at most ${max} characters`);
      }
      checkNewAccount(r.name, r.role, r.provider ? r.provider : null);
      if (r.supervisor === r.name) throw new AccountError('bad_request', 'supervisor: cannot be the requested account itself');
      // Hashed before anything is looked up, so a taken name or an unknown supervisor costs the same time.
      const hash = await hashPassword(r.password);
      const sup = await byName(r.supervisor);
      if (!sup || sup.status !== 'active') return { recorded: null, refusal: 'supervisor-not-active' };
      if (await byName(r.name)) return { recorded: null, refusal: 'name-taken' };
      try {
        const recorded = await insert({
          ...base(r.name, r.role, r.provider),
          display_name: r.displayName.trim(),
          agency: r.agency.trim(),
          supervisor: r.supervisor,
          justification: r.justification.trim(),
          password_hash: hash,
          status: 'requested',
          training_attested_at: null,
          review_due_at: null,
        });
        return { recorded, refusal: null };
      } catch (e) {
        // A concurrent request took the name between the look-up and the insert.
        if (e instanceof AccountError && e.kind === 'conflict') return { recorded: null, refusal: 'name-taken' };
        throw e;
      }
    },
    async approve(id, by) {
      const a = await mustGet(id);
      notSelf(a, by, 'approve');
      if (a.supervisor !== by.name) throw new AccountError('forbidden', `only the named supervisor (${a.supervisor ?? 'none'}) approves this request`);
      return transition(id, ['requested'], { status: 'approved', approved_by: by.name, approved_at: iso() }, 'approve');
    },
    async activate(id, by, o = {}) {
      const a = await mustGet(id);
      notSelf(a, by, 'activate');
      if (ADMIN_ROLES.has(a.role) && !by.permissions.has('accounts:create-admin')) {
        throw new AccountError('forbidden', `activating a ${a.role} needs a master administrator`);
      }
      const attested = o.trainingAttestedAt ? attestation(o.trainingAttestedAt) : iso();
      return transition(id, ['approved'], { status: 'active', activated_by: by.name, activated_at: iso(), training_attested_at: attested, review_due_at: plusDays(settings.reviewPeriodDays) }, 'activate');
    },
    async reject(id, by, reason) {
      const a = await mustGet(id);
      notSelf(a, by, 'reject');
      if (!reason.trim()) throw new AccountError('bad_request', 'reason: required');
      // The named supervisor may reject what waits for their approval; anything else needs an administrator.
      const bySupervisor = a.status === 'requested' && a.supervisor === by.name;
      if (!bySupervisor && !by.permissions.has('accounts:activate')) throw new AccountError('forbidden', 'only the named supervisor (before approval) or an administrator rejects a request');
      return transition(id, ['requested', 'approved'], { status: 'rejected', lock_reason: reason.trim().slice(0, 500) }, 'reject');
    },
    async renew(id, by, o) {
      const a = await mustGet(id);
      notSelf(a, by, 'renew');
      const attested = attestation(o.trainingAttestedAt);
      const due = o.reviewDueAt ? checkIso('reviewDueAt', o.reviewDueAt) : plusDays(settings.reviewPeriodDays);
      if (Date.parse(due) <= now().getTime()) throw new AccountError('bad_request', 'reviewDueAt: must be in the future');
      // The next review is due within one review period, never later (access.md: recertification).
      if (Date.parse(due) > now().getTime() + settings.reviewPeriodDays * DAY) {
        throw new AccountError('bad_request', `reviewDueAt: at most ${settings.reviewPeriodDays} days from today (the review period); leave it out for exactly that`);
      }
      return transition(id, ['active', 'suspended'], { status: 'active', training_attested_at: attested, review_due_at: due }, 'renew');
    },
    async unlock(id, by, reason) {
      const a = await mustGet(id);
      notSelf(a, by, 'unlock');
      if (reason.trim().length < 10) throw new AccountError('bad_request', 'reason: write why the account is unlocked (at least 10 characters)');
      return transition(id, ['locked'], { status: 'active', lock_reason: null, failed_signins: 0, quota_reset_at: iso() }, 'unlock');
    },
    async lock(name, reason) {
      await db.updateTable('users').set({ status: 'locked', lock_reason: reason }).where('name', '=', name).where('status', 'in', ['active', 'suspended']).execute();
      await sessions.endAllFor(name, `locked: ${reason}`);
    },
    async checkRecertification(a) {
      if (a.status !== 'active') return a;
      const t = now().getTime();
      const trainingExpired = a.trainingAttestedAt !== null && Date.parse(a.trainingAttestedAt) + settings.trainingValidDays * DAY <= t;
      const reviewPassed = a.reviewDueAt !== null && Date.parse(a.reviewDueAt) <= t;
      if (!trainingExpired && !reviewPassed) return a;
      const why = trainingExpired ? 'training attestation expired' : 'access review date passed';
      await db.updateTable('users').set({ status: 'suspended', lock_reason: why }).where('id', '=', a.id).where('status', '=', 'active').execute();
      await sessions.endAllFor(a.name, `suspended: ${why}`);
      return { ...a, status: 'suspended', lockReason: why };
    },
    async recordFailure(name) {
      // One guarded UPDATE: counts the failure and, when it reaches the limit, locks in the same statement,
      // so two attempts at once cannot both lock and a locked account is never counted or locked again.
      const max = settings.maxFailedSignIns;
      const r = await db
        .updateTable('users')
        .set((eb) => ({
          failed_signins: eb('failed_signins', '+', 1),
          status: eb.case().when('failed_signins', '>=', max - 1).then(sql.lit<AccountStatus>('locked')).else(eb.ref('status')).end(),
          lock_reason: eb.case().when('failed_signins', '>=', max - 1).then(sql.lit(`${max} failed sign-ins`)).else(eb.ref('lock_reason')).end(),
        }))
        .where('name', '=', name)
        .where('status', '=', 'active')
        .returning(['status'])
        .executeTakeFirst();
      const lockedNow = r?.status === 'locked';
      if (lockedNow) await sessions.endAllFor(name, `locked: ${max} failed sign-ins`);
      return { lockedNow };
    },
    async recordSuccess(name) {
      await db.updateTable('users').set({ failed_signins: 0 }).where('name', '=', name).where('failed_signins', '>', 0).execute();
    },
    async signInRecord(name) {
      const r = await db.selectFrom('users').select([...COLUMNS, 'password_hash']).where('name', '=', name).executeTakeFirst();
      return r ? { account: toAccount(r as never), passwordHash: r.password_hash } : null;
    },
  };
  return service;
}
