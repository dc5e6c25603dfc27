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
  inject(o: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  del(url: string): Promise<LightMyRequestResponse>;
}

/**
 * Placeholder until sign-in lands (issue 5): passes requests through unchanged. The signature is final;
 * route tests written against it keep working when the real sign-in replaces this body.
 */
export async function signIn(app: FastifyInstance, _rt: Runtime, role: RoleName, opts: { name?: string; provider?: string } = {}): Promise<TestClient> {
  const name = opts.name ?? `${role}-user`;
  const inject = (o: InjectOptions) => app.inject(o);
  return {
    name,
    role,
    inject,
    get: (url) => inject({ method: 'GET', url }),
    post: (url, body) => inject({ method: 'POST', url, payload: body as never }),
    del: (url) => inject({ method: 'DELETE', url }),
  };
}
