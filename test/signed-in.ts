/**
 * Test support: an HTTP client for `app.inject` signed in as a real account of a given role.
 *
 * The account is created through the accounts service and signed in through `POST /api/session`, so route
 * tests exercise the same cookie, CSRF and policy path as a browser. Writes carry the CSRF header.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Runtime } from '../src/runtime/index.ts';

export type RoleName =
  | 'investigator'
  | 'customs-officer'
  | 'executive'
  | 'auditor'
  | 'partner-analyst'
  | 'administrator'
  | 'security-administrator'
  | 'master-administrator';

export interface TestClient {
  readonly name: string;
  readonly role: RoleName;
  /** The raw `cookie` header value and the CSRF token, for tests that craft requests by hand. */
  readonly cookie: string;
  readonly csrf: string;
  inject(o: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  del(url: string): Promise<LightMyRequestResponse>;
}

const PASSWORD = 'correct horse battery staple';

/**
 * Creates (or reuses) an active account of the role and signs it in through the API. Names default to the
 * role, so two clients of the same role in one test need distinct `name`s.
 */
export async function signIn(app: FastifyInstance, rt: Runtime, role: RoleName, opts: { name?: string; provider?: string; purpose?: string; password?: string } = {}): Promise<TestClient> {
  const name = opts.name ?? `${role.replace(/[^a-z]/g, '')}-user`;
  if (!(await rt.access.accounts.get(name))) {
    await rt.access.accounts.add({ name, role, provider: opts.provider ?? (role === 'partner-analyst' ? 'US' : null), password: PASSWORD, by: 'test' });
  }
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { name, password: opts.password ?? PASSWORD, ...(opts.purpose ? { purpose: opts.purpose } : {}) } });
  if (res.statusCode !== 200) throw new Error(`test sign-in as ${name} failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'parallax_session');
  if (!cookie) throw new Error('sign-in set no session cookie');
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  const inject = (o: InjectOptions) => {
    const method = (o.method ?? 'GET').toUpperCase();
    const headers = { ...(o.headers ?? {}), cookie: `parallax_session=${cookie.value}`, ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }) };
    return app.inject({ ...o, headers });
  };
  return {
    name,
    role,
    cookie: `parallax_session=${cookie.value}`,
    csrf,
    inject,
    get: (url) => inject({ method: 'GET', url }),
    post: (url, body) => inject({ method: 'POST', url, ...(body === undefined ? {} : { payload: body as never }) }),
    del: (url) => inject({ method: 'DELETE', url }),
  };
}
