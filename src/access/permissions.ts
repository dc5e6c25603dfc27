/**
 * The permission vocabulary: every API route and CLI command names exactly one of these, and each is a
 * Cedar action (`Action::"data:explore"`). Which roles hold which permission is decided by the policy files
 * in `policies/`, never here; this module only names the actions so routes, the OpenAPI document and the
 * authorisation matrix test share one list.
 *
 * Data permissions say what kind of call is allowed; what data it reaches is the caller's scope (dataset
 * categories, providers, row or aggregate level), applied by the scoped query layer.
 */
export const PERMISSIONS = {
  'session:me': 'any signed-in user: own account, role and scope',
  'catalogue:read': 'list dimensions, measures and datasets',
  'data:explore': 'grouped totals of the categories in scope (row or aggregate level)',
  'data:lines': 'line-level rows behind a result (row level only)',
  'data:export': 'export a result or its lines (counted against the download quota)',
  'batches:read': 'loaded batches and their quarantine',
  'anomalies:read': 'anomalies, rankings, analysis runs and their explanations',
  'analysis:run': 'start an analysis run',
  'screening:search': 'screen names against watch lists',
  'watchlists:read': 'watch-list versions and entries',
  'decisions:write': 'record an analyst decision on a screening hit or an anomaly',
  'parties:read': 'named parties, their profiles and the relationship graph',
  'reports:read': 'saved reports and their results',
  'reports:write': 'save and schedule reports',
  'accounts:read': 'list accounts and requests',
  'accounts:approve': 'approve an account request as its named supervisor',
  'accounts:activate': 'activate an approved request',
  'accounts:unlock': 'unlock a locked account, with a written reason',
  'accounts:renew': 'renew training attestation and access review dates',
  'accounts:create-admin': 'create administrator accounts',
  'audit:read-own': "read one's own audit events",
  'audit:read-all': 'read every audit event and the disclosure ledger',
  'audit:verify': 'verify the audit hash chain and its signed checkpoints',
  'policies:read': 'read the authorisation policies',
  'privacy:register': 'read the data register: every source, its category, provider, direction and who can see it',
  'privacy:transparency': 'read the aggregate transparency report (counts of queries, exports, disclosures, matches, locks, purges)',
  'retention:read': 'read retention periods, legal holds and purge records, and preview what a purge would remove',
  'retention:manage': 'set retention periods, place and release legal holds, and run a purge',
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(s: string): s is Permission {
  return Object.hasOwn(PERMISSIONS, s);
}
