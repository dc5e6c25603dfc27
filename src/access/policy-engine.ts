/**
 * Cedar policy decisions. The policy files in `policies/` (one per role, plus a schema) are the rules; this
 * module only loads, validates and asks them.
 *
 * Invariants:
 * - Policies are validated against the schema at load; a policy that names an unknown action, entity type
 *   or attribute stops the server from starting rather than silently never matching.
 * - Decisions are default-deny: no permit, or any forbid, is a denial.
 * - The policy set is parsed once per engine (Cedar's stateful API keeps it preparsed under an id), so a
 *   decision costs microseconds and the server can afford one per permission per new session.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { DatasetCategory } from '../schema/index.ts';
import type { AccessLevel } from '../query/index.ts';
import type { Permission } from './permissions.ts';

export const ROLES = [
  'investigator',
  'customs-officer',
  'executive',
  'auditor',
  'partner-analyst',
  'administrator',
  'security-administrator',
  'master-administrator',
] as const;
export type Role = (typeof ROLES)[number];

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

export interface PolicySubject {
  name: string;
  role: Role;
  provider: string | null;
}

export interface PolicyEngine {
  /** Short digest of the policy text: part of cache keys, shown by `GET /api/me` and the policy view. */
  readonly version: string;
  /** The policy files as loaded, for the security administrator's read-only view. */
  readonly files: readonly { name: string; text: string }[];
  can(subject: PolicySubject, permission: Permission): boolean;
  canRead(subject: PolicySubject, dataset: { category: DatasetCategory; provider: string; level: AccessLevel }): boolean;
}

export class PolicyLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyLoadError';
  }
}

export function defaultPolicyDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../policies');
}

let engineSeq = 0;

export function loadPolicyEngine(dir = defaultPolicyDir()): PolicyEngine {
  const names = readdirSync(dir).filter((f) => f.endsWith('.cedar')).sort();
  if (!names.length) throw new PolicyLoadError(`${dir}: no .cedar policy files`);
  const files = names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
  const schemaText = readFileSync(join(dir, 'parallax.cedarschema'), 'utf8');
  const policyText = files.map((f) => `// ${f.name}\n${f.text}`).join('\n');

  const schemaCheck = cedar.checkParseSchema(schemaText);
  if (schemaCheck.type === 'failure') throw new PolicyLoadError(`parallax.cedarschema: ${schemaCheck.errors.map((e) => e.message).join('; ')}`);
  // Parse file by file so an error names the file it is in.
  for (const f of files) {
    const parsed = cedar.checkParsePolicySet({ staticPolicies: f.text });
    if (parsed.type === 'failure') throw new PolicyLoadError(`${f.name}: ${parsed.errors.map((e) => e.message).join('; ')}`);
  }
  const validation = cedar.validate({ schema: schemaText, policies: { staticPolicies: policyText }, validationSettings: { mode: 'strict' } });
  if (validation.type === 'failure') throw new PolicyLoadError(`policies: ${validation.errors.map((e) => e.message).join('; ')}`);
  if (validation.validationErrors.length) {
    throw new PolicyLoadError(`policies do not match the schema: ${validation.validationErrors.map((e) => `${e.policyId}: ${e.error.message}`).join('; ')}`);
  }

  const version = createHash('sha256').update(schemaText).update(policyText).digest('hex').slice(0, 12);
  const setId = `parallax-${version}-${++engineSeq}`;
  const pre = cedar.preparsePolicySet(setId, { staticPolicies: policyText });
  if (pre.type === 'failure') throw new PolicyLoadError(`policies: ${pre.errors.map((e) => e.message).join('; ')}`);

  const userEntity = (s: PolicySubject) => ({
    uid: { type: 'User', id: s.name },
    attrs: { role: s.role, provider: s.provider ?? '' },
    parents: [{ type: 'Role', id: s.role }],
  });
  const decide = (s: PolicySubject, action: string, resource: { type: string; id: string }, extra: cedar.EntityJson[]): boolean => {
    const answer = cedar.statefulIsAuthorized({
      principal: { type: 'User', id: s.name },
      action: { type: 'Action', id: action },
      resource,
      context: {},
      preparsedPolicySetId: setId,
      entities: [userEntity(s), { uid: { type: 'Role', id: s.role }, attrs: {}, parents: [] }, ...extra],
    });
    if (answer.type === 'failure') throw new PolicyLoadError(`policy evaluation failed: ${answer.errors.map((e) => e.message).join('; ')}`);
    return answer.response.decision === 'allow';
  };

  return {
    version,
    files,
    can(subject, permission) {
      return decide(subject, permission, { type: 'System', id: 'parallax' }, [{ uid: { type: 'System', id: 'parallax' }, attrs: {}, parents: [] }]);
    },
    canRead(subject, d) {
      const id = `${d.category}/${d.provider}/${d.level}`;
      return decide(subject, 'read', { type: 'Dataset', id }, [
        { uid: { type: 'Dataset', id }, attrs: { category: d.category, provider: d.provider, level: d.level }, parents: [] },
      ]);
    },
  };
}
