/**
 * Turns a user's policy decisions into their scope and permission set.
 *
 * Invariants:
 * - The scope is derived only by asking the policies, category by category: first for every provider at
 *   row level, then row level for the user's own provider, then the same at aggregate level. The highest
 *   grant the policies allow wins; nothing here adds access the policies did not grant.
 * - Pure apart from the engine: the same user, role, provider and policy version always give the same
 *   result, which is why the server may cache it under those keys.
 */
import type { CategoryGrant, Scope } from '../query/index.ts';
import { DATASET_CATEGORIES } from '../schema/index.ts';
import { PERMISSION_NAMES, type Permission } from './permissions.ts';
import type { PolicyEngine, PolicySubject } from './policy-engine.ts';

export interface AccessDecision {
  readonly scope: Scope;
  readonly permissions: ReadonlySet<Permission>;
}

export function decideAccess(engine: PolicyEngine, subject: PolicySubject): AccessDecision {
  const grants: CategoryGrant[] = [];
  for (const category of DATASET_CATEGORIES) {
    let grant: CategoryGrant | null = null;
    for (const level of ['row', 'aggregate'] as const) {
      if (engine.canRead(subject, { category, provider: '*', level })) grant = { category, providers: '*', level };
      else if (subject.provider && engine.canRead(subject, { category, provider: subject.provider, level })) grant = { category, providers: [subject.provider], level };
      if (grant) break;
    }
    if (grant) grants.push(grant);
  }
  const permissions = new Set(PERMISSION_NAMES.filter((p) => engine.can(subject, p)));
  return { scope: { principal: subject.name, grants }, permissions };
}
