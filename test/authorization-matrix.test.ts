// The authorisation matrix (access.md): every role x every API route, and every role x dataset category
// (trade, financial, watchlist) x level (row, aggregate), allowed and denied exactly as access.md says.
//
// The expected table below is transcribed from access.md's role table, independently of the Cedar policy
// files, so a policy edit that drifts from the spec fails here. Routes are taken from the live OpenAPI
// document, so every route added later is swept automatically.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/server/index.ts';
import { generateDataset } from '../src/generate/index.ts';
import { ingestFile } from '../src/ingest/index.ts';
import { loadList } from '../src/watchlists/index.ts';
import { runAnalysis } from '../src/detect/index.ts';
import { localOperatorScope } from '../src/query/index.ts';
import { PERMISSION_NAMES, type Permission } from '../src/access/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from './temp-runtime.ts';
import { signIn, type RoleName, type TestClient } from './signed-in.ts';

const DATA_USER: Permission[] = [
  'catalogue:read', 'data:explore', 'data:lines', 'data:export', 'batches:read', 'anomalies:read', 'analysis:run',
  'screening:search', 'watchlists:read', 'decisions:write', 'parties:read', 'reports:read', 'reports:write', 'audit:read-own',
];
const EVERYONE: Permission[] = ['session:me', 'accounts:approve'];

/** access.md, "Roles": what each role may do. */
const EXPECTED_PERMISSIONS: Record<RoleName, Permission[]> = {
  investigator: [...EVERYONE, ...DATA_USER],
  'customs-officer': [...EVERYONE, ...DATA_USER],
  executive: [...EVERYONE, 'catalogue:read', 'data:explore', 'data:export', 'reports:read', 'reports:write'],
  auditor: [...EVERYONE, 'accounts:read', 'audit:read-own', 'audit:read-all', 'audit:verify', 'privacy:register', 'privacy:transparency', 'retention:read'],
  'partner-analyst': [...EVERYONE, 'catalogue:read', 'data:explore', 'data:lines', 'data:export', 'batches:read', 'anomalies:read', 'parties:read', 'reports:read', 'audit:read-own'],
  administrator: [...EVERYONE, 'accounts:read', 'accounts:activate', 'accounts:unlock', 'accounts:renew'],
  // access.md: "roles, policies, certificates, retention".
  'security-administrator': [...EVERYONE, 'accounts:read', 'policies:read', 'audit:read-own', 'audit:read-all', 'audit:verify', 'privacy:register', 'privacy:transparency', 'retention:read', 'retention:manage'],
  'master-administrator': [...EVERYONE, 'accounts:read', 'accounts:activate', 'accounts:create-admin', 'audit:read-own', 'audit:read-all', 'audit:verify', 'privacy:register', 'privacy:transparency'],
};

type Level = 'row' | 'aggregate' | 'none';
/** access.md, "Roles": trade / financial / watchlist columns. Partner analysts: own provider only. */
const EXPECTED_DATA: Record<RoleName, Record<'trade' | 'financial' | 'watchlist', Level>> = {
  investigator: { trade: 'row', financial: 'row', watchlist: 'row' },
  'customs-officer': { trade: 'row', financial: 'none', watchlist: 'row' },
  executive: { trade: 'aggregate', financial: 'aggregate', watchlist: 'none' },
  auditor: { trade: 'none', financial: 'none', watchlist: 'none' },
  'partner-analyst': { trade: 'row', financial: 'none', watchlist: 'none' },
  administrator: { trade: 'none', financial: 'none', watchlist: 'none' },
  'security-administrator': { trade: 'none', financial: 'none', watchlist: 'none' },
  'master-administrator': { trade: 'none', financial: 'none', watchlist: 'none' },
};
const ROLES = Object.keys(EXPECTED_PERMISSIONS) as RoleName[];

let t: TempRuntime;
let app: FastifyInstance;
const clients = {} as Record<RoleName, TestClient>;
let routes: { method: string; path: string; permission: string }[];
let paymentIds: string[];
let partyNames: string[];

beforeAll(async () => {
  t = await tempRuntime({ access: { settings: { signInRatePerMinute: 1000 } } });
  const gen = await generateDataset({ rows: 6000, seed: 11, outDir: join(t.dir, 'gen') });
  const deps = { store: t.rt.store, registry: t.rt.registry };
  await ingestFile(deps, gen.files.declarations, { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  await ingestFile(deps, gen.files.payments, { profile: 'canonical', category: 'financial', provider: 'US', loadedBy: 'test' });
  // A second provider: the partner analyst (provider MX) must see only these lines.
  const mx = [CANONICAL_HEADER, ...Array.from({ length: 12 }, (_, i) => canonicalLine({ declaration_id: `MX${i}`, reporter: 'MX', importer_name: 'Mexican Importer SA', value: 500 + i }))].join('\n');
  await ingestFile(deps, t.file('mx.csv', `${mx}\n`), { profile: 'canonical', category: 'trade', provider: 'MX', loadedBy: 'test' });
  await loadList({ store: t.rt.store }, [gen.files.watchlist], { format: 'csv' });
  await runAnalysis(t.rt.store, localOperatorScope('test'), {});
  await t.rt.store.withWriteConnection(async (c) => {
    paymentIds = (await c.runAndReadAll(`SELECT payment_id FROM payments WHERE payment_id IS NOT NULL ORDER BY payment_id LIMIT 200`)).getRows().map((r) => String(r[0]));
    partyNames = (await c.runAndReadAll(`SELECT DISTINCT importer_name FROM trade_lines WHERE importer_name IS NOT NULL ORDER BY 1 LIMIT 300`)).getRows().map((r) => String(r[0]));
  });
  app = buildApp(t.rt);
  await app.ready();
  for (const role of ROLES) clients[role] = await signIn(app, t.rt, role, role === 'partner-analyst' ? { provider: 'MX' } : {});
  const doc = (await app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, { 'x-permission': string }>> };
  routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, permission: op['x-permission'] })));
}, 240_000);
afterAll(async () => {
  await app?.close();
  await t?.cleanup();
});

const isGuardDenial = (r: { statusCode: number; body: string }) => r.statusCode === 403 && r.body.includes('does not have the permission');

describe('authorisation matrix', () => {
  it('every route names a known permission (or is public)', () => {
    expect(routes.length).toBeGreaterThan(15);
    for (const r of routes) expect([...PERMISSION_NAMES, 'public']).toContain(r.permission);
    const publicRoutes = routes.filter((r) => r.permission === 'public').map((r) => `${r.method} ${r.path}`);
    expect(publicRoutes.sort()).toEqual(['GET /api/session/settings', 'POST /api/accounts/requests', 'POST /api/session']);
  });

  it('the policies give each role exactly the permissions and data levels of access.md', async () => {
    for (const role of ROLES) {
      const me = (await clients[role].get('/api/me')).json() as { permissions: string[]; scope: { grants: { category: string; level: string; providers: string[] | '*' }[] } };
      expect([...me.permissions].sort(), role).toEqual([...EXPECTED_PERMISSIONS[role]].sort());
      for (const category of ['trade', 'financial', 'watchlist'] as const) {
        const g = me.scope.grants.find((x) => x.category === category);
        expect(g?.level ?? 'none', `${role} ${category}`).toBe(EXPECTED_DATA[role][category]);
        if (g) expect(g.providers, `${role} ${category} providers`).toEqual(role === 'partner-analyst' ? ['MX'] : '*');
      }
    }
  });

  it('every role x every route: allowed exactly when the role holds the route permission; anonymous gets 401', async () => {
    const cells: string[] = [];
    // Sign-out would end the sessions under test; it is a session:me route like /api/me (checked below).
    expect(routes.find((r) => r.method === 'DELETE' && r.path === '/api/session')?.permission).toBe('session:me');
    for (const r of routes.filter((x) => x.permission !== 'public' && !(x.method === 'DELETE' && x.path === '/api/session'))) {
      const url = r.path.replace(/\{[^}]+\}/g, 'X');
      const anon = await app.inject({ method: r.method as 'GET', url, payload: r.method === 'GET' ? undefined : {} });
      expect(anon.statusCode, `anonymous ${r.method} ${r.path}`).toBe(401);
      for (const role of ROLES) {
        const res = await clients[role].inject({ method: r.method as 'GET', url, ...(r.method === 'GET' ? {} : { payload: {} }) });
        const allowed = EXPECTED_PERMISSIONS[role].includes(r.permission as Permission);
        const label = `${role} ${r.method} ${r.path} (${r.permission})`;
        if (allowed) {
          expect(isGuardDenial(res), label).toBe(false);
          expect(res.statusCode, label).not.toBe(401);
          expect(res.statusCode, label).toBeLessThan(500);
        } else {
          expect(res.statusCode, label).toBe(403);
          expect(isGuardDenial(res), label).toBe(true);
        }
        cells.push(label);
      }
    }
    expect(cells.length).toBeGreaterThan(100);
  });

  const DATA_PROBES = {
    'trade/row': '/api/lines?dataset=trade&limit=5',
    'trade/aggregate': '/api/explore?by=origin&measure=value,lines',
    'financial/row': '/api/lines?dataset=payments&limit=5',
    'financial/aggregate': '/api/explore?dataset=payments&by=currency&measure=payments',
    'watchlist/row': '/api/screen?name=ACME%20TRADING&limit=3',
  } as const;
  const allowedFor = (role: RoleName, probe: keyof typeof DATA_PROBES) => {
    const [category, level] = probe.split('/') as ['trade' | 'financial' | 'watchlist', 'row' | 'aggregate'];
    const have = EXPECTED_DATA[role][category];
    return have === 'row' || (have === 'aggregate' && level === 'aggregate');
  };

  it('every role x category x level, by real requests: allowed ones answer, denied ones are 403 and audited', async () => {
    for (const role of ROLES) {
      for (const [probe, url] of Object.entries(DATA_PROBES) as [keyof typeof DATA_PROBES, string][]) {
        const res = await clients[role].get(url);
        expect(res.statusCode, `${role} ${probe}`).toBe(allowedFor(role, probe) ? 200 : 403);
      }
    }
    const denials = (await t.rt.audit.recent(500)).filter((e) => e.outcome === 'denied');
    expect(denials.some((e) => e.principal === clients['customs-officer'].name)).toBe(true);
    expect(denials.some((e) => e.principal === clients.executive.name)).toBe(true);
  });

  it('a partner analyst reads only their own provider, at row and aggregate level', async () => {
    const lines = (await clients['partner-analyst'].get('/api/lines?dataset=trade&limit=100')).json() as { total: number; rows: { provider: string }[] };
    expect(lines.total).toBe(12);
    expect(new Set(lines.rows.map((r) => r.provider))).toEqual(new Set(['MX']));
    const totals = (await clients['partner-analyst'].get('/api/explore?by=provider&measure=lines')).json() as { rows: { provider: string; lines: number }[] };
    expect(totals.rows).toEqual([{ provider: 'MX', lines: 12 }]);
  });

  it('a customs officer never sees a payment by any route', async () => {
    const inv = (await clients.investigator.get('/api/anomalies?limit=1000')).json() as { rows: { detector: string }[] };
    expect(inv.rows.some((r) => r.detector === 'payment-mismatch')).toBe(true);
    const bodies: string[] = [];
    for (const r of routes.filter((x) => x.method === 'GET')) {
      for (const url of probeUrls(r.path)) {
        const res = await clients['customs-officer'].get(url);
        if (res.statusCode === 200) bodies.push(res.body);
      }
    }
    expect(bodies.length).toBeGreaterThan(8);
    const all = bodies.join('\n');
    expect(all).not.toContain('"detector":"payment-mismatch"');
    for (const b of bodies) {
      const m = b.match(/.{0,120}(payer_bank|payee_bank|"amount").{0,80}/);
      expect(m?.[0] ?? null).toBeNull();
    }
    for (const id of paymentIds) expect(all.includes(id), `payment ${id}`).toBe(false);
  });

  it('an executive never sees a named party by any route', async () => {
    expect((await clients.executive.get('/api/explore?by=importer')).statusCode).toBe(403);
    expect((await clients.executive.get('/api/explore?dataset=payments&by=payer')).statusCode).toBe(403);
    const bodies: string[] = [];
    for (const r of routes.filter((x) => x.method === 'GET')) {
      for (const url of probeUrls(r.path)) {
        const res = await clients.executive.get(url);
        if (res.statusCode === 200) bodies.push(res.body);
      }
    }
    expect(bodies.length).toBeGreaterThan(3);
    const all = bodies.join('\n');
    expect(partyNames.length).toBeGreaterThan(50);
    for (const n of partyNames) expect(all.includes(`"${n}"`), `party ${n}`).toBe(false);
    expect(all).toContain('suppressed');
  });
});

/**
 * The download quota (README, "Download quotas"; src/server/named-parties.ts): results that list named parties
 * row by row are charged before they are sent, aggregates are not. Request -> charged.
 */
const QUOTA_CHARGES: Record<string, boolean> = {
  '/api/lines?limit=5': true,
  '/api/explore?by=importer_name&measure=value&limit=100': true,
  '/api/explore?dataset=payments&by=payer&measure=amount&limit=100': true,
  '/api/measures/query?measure=import-value&by=importer&top=10': true,
  '/api/anomalies?limit=20': true,
  '/api/export/explore?by=origin&measure=value': true,
  '/api/export/lines?limit=5': true,
  '/api/explore?by=origin,hs2&measure=value,lines,importers&limit=1000': false,
  '/api/measures/query?measure=import-value,lines&by=nation': false,
  '/api/ranking?limit=20': false,
  '/api/runs': false,
  '/api/catalogue': false,
  '/api/batches': false,
  '/api/screen?name=ACME&limit=10': false,
  '/api/audit?limit=10': false,
};

describe('download quota by route', () => {
  it('charges exactly the results that list named parties (and every line page and export)', async () => {
    const inv = clients.investigator;
    const used = async () => ((await inv.get('/api/me')).json() as { quota: { rows: number } }).quota.rows;
    for (const [url, charged] of Object.entries(QUOTA_CHARGES)) {
      const before = await used();
      const res = await inv.get(url);
      expect(res.statusCode, url).toBe(200);
      expect((await used()) > before, url).toBe(charged);
    }
  });
});

/** Plausible requests per GET route: the bare route plus the variants that return the most data. */
function probeUrls(path: string): string[] {
  if (path.includes('{')) return [];
  const extra: Record<string, string[]> = {
    '/api/explore': ['/api/explore?by=origin,hs2&measure=value,lines,importers&limit=1000', '/api/explore?dataset=payments&by=payer_country&measure=payments'],
    '/api/lines': ['/api/lines?limit=200', '/api/lines?dataset=payments&limit=200'],
    '/api/measures/query': ['/api/measures/query?measure=import-value,lines&by=nation', '/api/measures/query?measure=import-value,importers&by=port&period=month'],
    '/api/anomalies': ['/api/anomalies?limit=1000'],
    '/api/ranking': ['/api/ranking?limit=500'],
    '/api/screen': ['/api/screen?name=ACME&limit=10'],
  };
  return [path, ...(extra[path] ?? [])];
}
