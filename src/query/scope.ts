/**
 * A scope is what one principal may read: per dataset category, which providers and at which level.
 *
 * Invariants:
 * - Pure data. The security layer turns a policy decision into a Scope; the query layer enforces it. Code
 *   between the two never widens a scope.
 * - Absent category = no access. `providers: '*'` = every provider. `level: 'aggregate'` = grouped totals
 *   only: no line-level drill-down and no named-party dimensions.
 */
import type { DatasetCategory } from '../schema/index.ts';

export type AccessLevel = 'row' | 'aggregate';

export interface CategoryGrant {
  readonly category: DatasetCategory;
  readonly providers: '*' | readonly string[];
  readonly level: AccessLevel;
}

export interface Scope {
  /** Who the scope belongs to, for audit and error messages. */
  readonly principal: string;
  readonly grants: readonly CategoryGrant[];
}

export function grantFor(scope: Scope, category: DatasetCategory): CategoryGrant | undefined {
  return scope.grants.find((g) => g.category === category);
}

/**
 * The scope of the local operator of a data directory (the CLI before sign-in exists): everything at row
 * level. The server never uses it for a signed-in user.
 */
export function localOperatorScope(principal = 'local-operator'): Scope {
  return {
    principal,
    grants: (['trade', 'financial', 'watchlist', 'reference', 'enforcement'] as const).map((category) => ({
      category,
      providers: '*' as const,
      level: 'row' as const,
    })),
  };
}

export class ScopeDeniedError extends Error {
  constructor(readonly what: string) {
    super(`not permitted: ${what}`);
    this.name = 'ScopeDeniedError';
  }
}
