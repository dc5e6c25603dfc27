/**
 * The typed API client: one function per endpoint of the table in endpoints.ts, nothing else reaches the
 * network.
 *
 * Invariants:
 * - Same-origin requests only, with cookies (the session cookie is HttpOnly; the app never sees it).
 * - Every write except sign-in and account requests carries `x-csrf-token` from the current session.
 * - A 401 from any call other than sign-in itself reports "signed out" once through `onUnauthorized`, so
 *   the app returns to the sign-in page wherever it was.
 * - Errors are ApiError with the server's status, error code and message (which never carry row values).
 */
import { ENDPOINTS, fillPath, type EndpointName } from './endpoints.ts';
import type {
  Account, AccountQuota, AccountRequested, AnomalyDetail, AnomalyPage, AuditPage, AuditVerifyReport, Batch, Catalogue, ExploreResult, LinesResult, MeasuresCatalogue, MeasuresResult,
  ScreenResponse, Session, SessionSettings, PartySummary, PartyProfile, PartyGraph, Decision, DisclosurePage, ReportInput, ReportList, ReportRunResult, ReportRuns, SavedReport,
  RunComparison, RunChange, DataRegister, TransparencyReport, RetentionView, PurgeReport, RetentionPolicy, LegalHold, RunSummary, ComparisonGroup, LineLinks,
  ReferenceNames, EntryHits,
} from './types.ts';

/** A file the server sent (an export): its bytes and the name from content-disposition. */
export interface Download {
  blob: Blob;
  filename: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Query values; an array repeats its key (id=a&id=b), as the server's list parameters expect. */
type Query = Record<string, string | number | boolean | readonly string[] | undefined | null>;

export interface ClientOptions {
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

const NO_CSRF: ReadonlySet<EndpointName> = new Set(['signIn', 'requestAccount']);

export function createApiClient(opts: ClientOptions = {}) {
  let csrfToken: string | null = null;
  const doFetch = opts.fetch ?? ((i: RequestInfo | URL, init?: RequestInit) => fetch(i, init));

  function urlOf(name: EndpointName, o: { params?: Record<string, string>; query?: Query }): string {
    let url = fillPath(ENDPOINTS[name].path, o.params);
    if (o.query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(o.query)) {
        if (Array.isArray(v)) for (const x of v) qs.append(k, String(x));
        else if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
      }
      const s = qs.toString();
      if (s) url += `?${s}`;
    }
    return url;
  }

  async function failure(name: EndpointName, res: Response): Promise<ApiError> {
    let b: { error?: string; message?: string } = {};
    try {
      b = ((await res.json()) ?? {}) as typeof b;
    } catch {
      b = {};
    }
    if (res.status === 401 && name !== 'signIn' && name !== 'me') opts.onUnauthorized?.();
    return new ApiError(res.status, b.error ?? `http_${res.status}`, b.message ?? defaultMessage(res.status));
  }

  /** A GET answered with a file (exports): the server counts it against the quota before sending it. */
  async function download(name: EndpointName, o: { params?: Record<string, string>; query?: Query }, fallback: string): Promise<Download> {
    const res = await doFetch(urlOf(name, o), { method: 'GET', headers: { accept: '*/*' }, credentials: 'same-origin' });
    if (!res.ok) throw await failure(name, res);
    const cd = res.headers.get('content-disposition') ?? '';
    const filename = /filename="([^"]+)"/.exec(cd)?.[1] ?? fallback;
    return { blob: await res.blob(), filename };
  }

  async function call<T>(name: EndpointName, o: { params?: Record<string, string>; query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    const ep = ENDPOINTS[name];
    const url = urlOf(name, o);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (ep.method !== 'GET' && !NO_CSRF.has(name) && csrfToken) headers['x-csrf-token'] = csrfToken;
    const res = await doFetch(url, {
      method: ep.method,
      headers,
      credentials: 'same-origin',
      body: o.body === undefined ? null : JSON.stringify(o.body),
      signal: o.signal ?? null,
    });
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!res.ok) {
      const b = (body ?? {}) as { error?: string; message?: string };
      if (res.status === 401 && name !== 'signIn' && name !== 'me') opts.onUnauthorized?.();
      throw new ApiError(res.status, b.error ?? `http_${res.status}`, b.message ?? defaultMessage(res.status));
    }
    return body as T;
  }

  return {
    setCsrfToken(t: string | null) {
      csrfToken = t;
    },
    catalogue: (signal?: AbortSignal) => call<Catalogue>('catalogue', { signal }),
    explore: (q: { dataset?: string; by: string; measure: string; where?: string; sort?: string; limit?: number; offset?: number }, signal?: AbortSignal) =>
      call<ExploreResult>('explore', { query: q, signal }),
    lines: (q: { dataset?: string; cell?: string; where?: string; sort?: string; limit?: number; offset?: number }, signal?: AbortSignal) =>
      call<LinesResult>('lines', { query: q, signal }),
    exportExplore: (q: { dataset?: string; by: string; measure: string; where?: string; sort?: string; limit?: number }) => download('exportExplore', { query: q }, 'explore.csv'),
    exportLines: (q: { dataset?: string; cell?: string; where?: string; sort?: string }) => download('exportLines', { query: q }, 'lines.csv'),
    reports: () => call<ReportList>('reports'),
    saveReport: (b: ReportInput) => call<SavedReport>('saveReport', { body: b }),
    runReport: (id: number) => call<ReportRunResult>('runReport', { params: { id: String(id) } }),
    exportReport: (id: number, format: 'csv' | 'xlsx' | 'pdf') => download('exportReport', { params: { id: String(id) }, query: { format } }, `report.${format}`),
    reportRuns: (id: number) => call<ReportRuns>('reportRuns', { params: { id: String(id) } }),
    disclosures: (q: { principal?: string; recipient?: string; limit?: number; offset?: number }) => call<DisclosurePage>('disclosures', { query: q }),
    approvals: () => call<Account[]>('approvals'),
    batches: () => call<Batch[]>('batches'),
    measures: () => call<MeasuresCatalogue>('measures'),
    measuresQuery: (q: { measure: string; by?: string; where?: string; period?: string; from?: string; to?: string; top?: number }, signal?: AbortSignal) =>
      call<MeasuresResult>('measuresQuery', { query: q, signal }),
    anomalies: (
      q: { run?: string; detector?: string; min_score?: number; country?: string; hs?: string; party?: string; period?: string; against?: string; change?: RunChange; limit?: number; offset?: number },
      signal?: AbortSignal,
    ) =>
      call<AnomalyPage>('anomalies', { query: q, signal }),
    anomaly: (id: string, signal?: AbortSignal) => call<AnomalyDetail>('anomaly', { params: { id }, signal }),
    runs: () => call<RunSummary[]>('runs'),
    anomalyGroup: (id: string, signal?: AbortSignal) => call<ComparisonGroup>('anomalyGroup', { params: { id }, signal }),
    lineLinks: (q: { dataset?: string; rows: string }, signal?: AbortSignal) => call<LineLinks>('lineLinks', { query: q, signal }),
    referenceNames: (q: { kind: string; codes?: string | undefined }) => call<ReferenceNames>('referenceNames', { query: q }),
    entryHits: (entries: readonly string[], signal?: AbortSignal) => call<EntryHits>('entryHits', { query: { entry: entries }, signal }),
    compareRuns: (q: { base: string; run?: string }, signal?: AbortSignal) => call<RunComparison>('compareRuns', { query: q, signal }),
    screen: (q: { name: string; type?: string; country?: string; limit?: number }, signal?: AbortSignal) => call<ScreenResponse>('screen', { query: q, signal }),
    sessionSettings: () => call<SessionSettings>('sessionSettings'),
    me: () => call<Session>('me'),
    signIn: (b: { name: string; password: string; purpose?: string }) => call<Session>('signIn', { body: b }),
    signOut: () => call<void>('signOut'),
    requestAccount: (b: { name: string; displayName: string; agency: string; supervisor: string; role: string; justification: string; password: string; provider?: string }) =>
      call<AccountRequested>('requestAccount', { body: b }),
    accounts: (q: { status?: string } = {}) => call<Account[]>('accounts', { query: q }),
    approveAccount: (id: number) => call<Account>('approveAccount', { params: { id: String(id) } }),
    rejectAccount: (id: number, reason: string) => call<Account>('rejectAccount', { params: { id: String(id) }, body: { reason } }),
    activateAccount: (id: number, b: { trainingAttestedAt?: string } = {}) => call<Account>('activateAccount', { params: { id: String(id) }, body: b }),
    unlockAccount: (id: number, reason: string) => call<Account>('unlockAccount', { params: { id: String(id) }, body: { reason } }),
    renewAccount: (id: number, b: { trainingAttestedAt: string; reviewDueAt?: string }) => call<Account>('renewAccount', { params: { id: String(id) }, body: b }),
    audit: (q: { principal?: string; event?: string; outcome?: string; from?: string; to?: string; limit?: number; offset?: number }) => call<AuditPage>('audit', { query: q }),
    auditVerify: () => call<AuditVerifyReport>('auditVerify'),
    parties: (q: { q: string; limit?: number }, signal?: AbortSignal) => call<PartySummary[]>('parties', { query: q, signal }),
    party: (id: string, signal?: AbortSignal) => call<PartyProfile>('party', { params: { id }, signal }),
    partyGraph: (id: string, q: { depth?: number; cap?: number } = {}, signal?: AbortSignal) => call<PartyGraph>('partyGraph', { params: { id }, query: q, signal }),
    decide: (b: { hit?: string; anomaly?: string; decision: 'confirmed' | 'false_positive' | 'escalate'; note?: string }) => call<Decision>('decide', { body: b }),
    decisions: (q: { hit?: string; anomaly?: string }) => call<Decision[]>('decisions', { query: q }),
    accountQuotas: () => call<AccountQuota[]>('accountQuotas'),
    register: () => call<DataRegister>('register'),
    registerCsv: () => download('register', { query: { format: 'csv' } }, 'data-register.csv'),
    transparency: (q: { grain?: 'month' | 'quarter' | 'year'; from?: string; to?: string }) => call<TransparencyReport>('transparency', { query: q }),
    retention: () => call<RetentionView>('retention'),
    retentionPreview: (q: { as_of?: string } = {}) => call<PurgeReport>('retentionPreview', { query: q }),
    setRetention: (category: string, b: { years: number; basis: 'loaded' | 'record-date'; reason: string }) => call<RetentionPolicy>('setRetention', { params: { category }, body: b }),
    placeHold: (b: { kind: 'category' | 'provider' | 'batch'; target: string; reason: string }) => call<LegalHold>('placeHold', { body: b }),
    releaseHold: (id: number, reason: string) => call<LegalHold>('releaseHold', { params: { id: String(id) }, body: { reason } }),
    purge: () => call<PurgeReport>('purge', { body: { confirm: 'purge' } }),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

function defaultMessage(status: number): string {
  if (status === 403) return 'You do not have access to this.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many requests; wait a moment and try again.';
  if (status >= 500) return 'The server failed to answer; try again, and tell an administrator if it persists.';
  return `Request failed (${status}).`;
}
