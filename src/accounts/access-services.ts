/**
 * The security layer's services wired together for one control store: policies, accounts, sessions,
 * sign-in and quotas. Built by the composition root only.
 *
 * Invariant: `decide` caches a user's decision under (name, role, provider, status, policy version), so a
 * role or provider change, a lock or a policy edit (a new engine) can never reuse a stale scope.
 */
import type { ControlStore } from '../control/index.ts';
import { decideAccess, loadPolicyEngine, type AccessDecision, type PolicyEngine } from '../access/index.ts';
import { accessSettings, type AccessSettings } from './access-settings.ts';
import { accountService, type Account, type AccountService } from './account-service.ts';
import { sessionStore, type SessionStore } from './session-store.ts';
import { signInService, type SignIn } from './sign-in.ts';
import { downloadQuotas, type DownloadQuotas } from './download-quota.ts';

export interface AccessServices {
  readonly settings: AccessSettings;
  readonly policies: PolicyEngine;
  readonly accounts: AccountService;
  readonly sessions: SessionStore;
  readonly quotas: DownloadQuotas;
  readonly signIn: SignIn;
  decide(a: Account): AccessDecision;
}

export interface AccessOptions {
  settings?: Partial<AccessSettings>;
  policyDir?: string;
  now?: () => Date;
}

export function accessServices(control: ControlStore, o: AccessOptions = {}): AccessServices {
  const settings = accessSettings(o.settings);
  // Loaded on first use: parsing and validating the policies costs ~0.3 s, which commands that never ask
  // them (ingest, explore as the custodian) should not pay. The server asks at start, so bad policies stop it.
  let engine: PolicyEngine | null = null;
  const policies = () => (engine ??= loadPolicyEngine(o.policyDir));
  const sessions = sessionStore(control, settings, o.now);
  const accounts = accountService(control, settings, sessions, o.now);
  const quotas = downloadQuotas(control, settings, accounts, o.now);
  const cache = new Map<string, AccessDecision>();
  return {
    settings,
    get policies() {
      return policies();
    },
    accounts,
    sessions,
    quotas,
    signIn: signInService(accounts, sessions, settings),
    decide(a) {
      const key = `${a.name}\u0000${a.role}\u0000${a.provider ?? ''}\u0000${a.status}\u0000${policies().version}`;
      let d = cache.get(key);
      if (!d) {
        if (cache.size > 10_000) cache.clear();
        d = a.status === 'active' ? decideAccess(policies(), { name: a.name, role: a.role, provider: a.provider }) : { scope: { principal: a.name, grants: [] }, permissions: new Set() };
        cache.set(key, d);
      }
      return d;
    },
  };
}
