/**
 * Every HTTP endpoint the web application calls, in one table. The client builds each request from this
 * table only, and a test (test/browser/api-contract.test.ts) checks every entry against the server's
 * /api/openapi.json, so the app cannot call a path or method the server does not declare.
 *
 * `pending` marks endpoints of contracts being built in parallel (sign-in, accounts, audit, parties): the
 * app treats their 404 as "not on this server" and the test checks them once the server declares them.
 * Plain TypeScript, no DOM: the Node test imports it.
 */
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Endpoint {
  readonly method: Method;
  /** Express-style path, e.g. /api/anomalies/:id. */
  readonly path: string;
  readonly pending?: true;
}

const e = (method: Method, path: string, pending?: true): Endpoint => (pending ? { method, path, pending } : { method, path });

export const ENDPOINTS = {
  catalogue: e('GET', '/api/catalogue'),
  explore: e('GET', '/api/explore'),
  lines: e('GET', '/api/lines'),
  // What some lines link to: their anomalies (latest run) and resolved parties.
  lineLinks: e('GET', '/api/lines/links'),
  // Names of codes (countries, HS sections, chapters, headings, ports) shown beside them.
  referenceNames: e('GET', '/api/reference/names'),
  batches: e('GET', '/api/batches'),
  quarantine: e('GET', '/api/batches/:id/quarantine'),
  measures: e('GET', '/api/measures'),
  measuresQuery: e('GET', '/api/measures/query'),
  anomalies: e('GET', '/api/anomalies'),
  anomaly: e('GET', '/api/anomalies/:id'),
  // The lines a price anomaly was compared with, read with the detector's own group definition.
  anomalyGroup: e('GET', '/api/anomalies/:id/group'),
  ranking: e('GET', '/api/ranking'),
  runs: e('GET', '/api/runs'),
  compareRuns: e('GET', '/api/runs/compare'),
  screen: e('GET', '/api/screen'),
  screenCompare: e('GET', '/api/screen/compare'),
  // The trading parties whose stored screening hits name a list entry.
  entryHits: e('GET', '/api/watchlist-hits'),
  // Exports through the server: counted against the download quota and written to the disclosure ledger.
  exportExplore: e('GET', '/api/export/explore'),
  exportLines: e('GET', '/api/export/lines'),
  // Saved reports (measures issue).
  reports: e('GET', '/api/reports'),
  saveReport: e('POST', '/api/reports'),
  runReport: e('GET', '/api/reports/:id/run'),
  exportReport: e('GET', '/api/reports/:id/export'),
  reportRuns: e('GET', '/api/reports/:id/runs'),
  // Sign-in and accounts (security work).
  // Read before any session: whether the sign-in form must ask for a purpose.
  sessionSettings: e('GET', '/api/session/settings'),
  me: e('GET', '/api/me', true),
  signIn: e('POST', '/api/session', true),
  signOut: e('DELETE', '/api/session', true),
  requestAccount: e('POST', '/api/accounts/requests', true),
  accounts: e('GET', '/api/accounts', true),
  approveAccount: e('POST', '/api/accounts/:id/approve', true),
  rejectAccount: e('POST', '/api/accounts/:id/reject', true),
  activateAccount: e('POST', '/api/accounts/:id/activate', true),
  unlockAccount: e('POST', '/api/accounts/:id/unlock', true),
  renewAccount: e('POST', '/api/accounts/:id/renew', true),
  audit: e('GET', '/api/audit', true),
  auditVerify: e('GET', '/api/audit/verify', true),
  disclosures: e('GET', '/api/disclosures', true),
  approvals: e('GET', '/api/accounts/approvals', true),
  // Parties and decisions (parties work).
  parties: e('GET', '/api/parties', true),
  party: e('GET', '/api/parties/:id', true),
  partyGraph: e('GET', '/api/parties/:id/graph', true),
  decide: e('POST', '/api/decisions', true),
  decisions: e('GET', '/api/decisions', true),
  // Every activated account's download quota use (administration page).
  accountQuotas: e('GET', '/api/accounts/quotas'),
  // Privacy by design: the data register, the transparency report, retention, legal holds and purges.
  register: e('GET', '/api/register'),
  transparency: e('GET', '/api/transparency'),
  retention: e('GET', '/api/retention'),
  retentionPreview: e('GET', '/api/retention/preview'),
  setRetention: e('PUT', '/api/retention/policies/:category'),
  placeHold: e('POST', '/api/retention/holds'),
  releaseHold: e('POST', '/api/retention/holds/:id/release'),
  purge: e('POST', '/api/retention/purge'),
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof ENDPOINTS;

/** Fills `:name` segments; values are URI-encoded so an id can never add a path segment. */
export function fillPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:([a-zA-Z_]+)/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(v);
  });
}
