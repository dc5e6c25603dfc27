/**
 * Test support for attacks run the way an outside tester runs them: the real Fastify application listening on
 * a loopback port, spoken to with fetch over TCP (cookies, CSRF header and all), never through `inject`.
 */
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/server/index.ts';
import type { Runtime } from '../src/runtime/index.ts';
import type { RoleName } from './signed-in.ts';

export const PASSWORD = 'correct horse battery staple';

export interface Answer {
  status: number;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  headers: Headers;
}

export interface LiveServer {
  readonly url: string;
  readonly app: FastifyInstance;
  /** An anonymous client; `signIn` turns it into a signed-in one. */
  client(): HttpClient;
  /** Creates (or reuses) an active account of the role and signs it in over HTTP. */
  signedIn(role: RoleName, o?: { name?: string; provider?: string }): Promise<HttpClient>;
  close(): Promise<void>;
}

export class HttpClient {
  cookie: string | null = null;
  csrf: string | null = null;
  constructor(readonly url: string) {}

  async request(method: string, path: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers['cookie'] = this.cookie;
    if (method !== 'GET' && this.csrf) headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, body: text, json, headers: res.headers };
  }

  get(path: string): Promise<Answer> {
    return this.request('GET', path);
  }

  post(path: string, body: unknown = {}): Promise<Answer> {
    return this.request('POST', path, body);
  }

  /** POST /api/session; on success keeps the cookie and CSRF token for later requests. */
  async signIn(name: string, password: string): Promise<Answer> {
    const a = await this.post('/api/session', { name, password });
    const set = a.headers.getSetCookie().find((c) => c.startsWith('parallax_session='));
    if (a.status === 200 && set) {
      this.cookie = set.split(';')[0]!;
      this.csrf = (a.json as { csrfToken: string }).csrfToken;
    }
    return a;
  }
}

export async function liveServer(rt: Runtime): Promise<LiveServer> {
  const app = buildApp(rt);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    app,
    client: () => new HttpClient(url),
    async signedIn(role, o = {}) {
      const name = o.name ?? `${role.replace(/[^a-z]/g, '')}-user`;
      if (!(await rt.access.accounts.get(name))) {
        await rt.access.accounts.add({ name, role, provider: o.provider ?? (role === 'partner-analyst' ? 'US' : null), password: PASSWORD, by: 'test' });
      }
      const c = new HttpClient(url);
      const a = await c.signIn(name, PASSWORD);
      if (a.status !== 200) throw new Error(`sign-in as ${name} failed: ${a.status} ${a.body}`);
      return c;
    },
    close: () => app.close(),
  };
}
