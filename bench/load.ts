/**
 * `npm run bench:load`: a load test of the secured API with a real HTTP client on loopback.
 *
 * 200 concurrent signed-in clients (one account and one session each; investigators, customs officers and
 * executives) run a mixed read workload for 60 s against a real `parallax` server (Fastify on a loopback
 * port), through sign-in cookies, the policy guard, the scoped query layer and the hash-chained audit trail
 * exactly as in production. Prints requests, errors (non-2xx and socket errors), p50/p99 latency and
 * throughput, and verifies the audit chain afterwards. Options: --rows N (default 200,000 generated lines),
 * --clients N (200), --seconds N (60).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { generateDataset } from '../src/generate/index.ts';
import { openRuntime } from '../src/runtime/index.ts';
import { ingestFile } from '../src/ingest/index.ts';
import { runAnalysis } from '../src/detect/index.ts';
import { localOperatorScope } from '../src/query/index.ts';
import { buildApp } from '../src/server/index.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const ROWS = arg('rows', 200_000);
const CLIENTS = arg('clients', 200);
const SECONDS = arg('seconds', 60);
const DIR = resolve('bench/out/load');
const PASSWORD = 'load-test-password-123';

mkdirSync(DIR, { recursive: true });
// Loopback load: sign-in and per-session limits are raised for the test; everything else is production.
const rt = await openRuntime({
  dataDir: join(DIR, 'data'),
  databaseUrl: '',
  access: { settings: { signInRatePerMinute: 100_000, requestRatePerMinute: 100_000, quotas: { investigator: { rows: 1e9, bytes: 1e12 }, 'customs-officer': { rows: 1e9, bytes: 1e12 }, executive: { rows: 1e9, bytes: 1e12 } } as never } },
});
try {
  if (!(await rt.registry.list()).some((b) => b.status === 'committed')) {
    const gen = join(DIR, 'gen');
    if (!existsSync(join(gen, 'declarations.csv'))) await generateDataset({ rows: ROWS, seed: 3, outDir: gen });
    const deps = { store: rt.store, registry: rt.registry };
    await ingestFile(deps, join(gen, 'declarations.csv'), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'bench' });
    await ingestFile(deps, join(gen, 'payments.csv'), { profile: 'canonical', category: 'financial', provider: 'US', loadedBy: 'bench' });
    await runAnalysis(rt.store, localOperatorScope('bench'), {});
  }
  const roles = ['investigator', 'customs-officer', 'executive'] as const;
  const names: { name: string; role: (typeof roles)[number] }[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const role = roles[i % 3]!;
    const name = `load-${role.replace(/[^a-z]/g, '')}-${i}`;
    if (!(await rt.access.accounts.get(name))) await rt.access.accounts.add({ name, role, password: PASSWORD, by: 'bench' });
    names.push({ name, role });
  }
  const app = buildApp(rt);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const sessions: string[] = [];
  for (const u of names) {
    const r = await fetch(`${address}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: u.name, password: PASSWORD }) });
    if (r.status !== 200) throw new Error(`sign-in ${u.name}: ${r.status}`);
    sessions.push(/parallax_session=([^;]+)/.exec(r.headers.get('set-cookie') ?? '')![1]!);
  }
  // Mixed reads, by role: what an analyst or an executive does all day. Filters vary per request (countries,
  // chapters, pages), so the result cache serves repeats but most analyst queries are computed.
  const countries = ['CN', 'VN', 'DE', 'MX', 'IN', 'JP', 'KR', 'TH', 'TR', 'BR', 'IT', 'FR', 'GB', 'CA', 'TW', 'MY', 'ID', 'ES', 'NL', 'PL'];
  const pick = <T>(xs: readonly T[], k: number) => xs[k % xs.length]!;
  const enc = encodeURIComponent;
  const analyst = (k: number) =>
    [
      `/api/explore?by=field_office&measure=value,lines&where=${enc(`origin = ${pick(countries, k)}`)}`,
      `/api/explore?by=origin,hs2&measure=value,lines,importers&limit=100&where=${enc(`hs2 = ${String(1 + (k % 97)).padStart(2, '0')}`)}`,
      `/api/anomalies?limit=50&offset=${(k * 50) % 1000}`,
      `/api/lines?where=${enc(`origin = ${pick(countries, k)}`)}&limit=50&offset=${(k * 50) % 2000}`,
      '/api/measures/query?measure=import-value,lines&by=nation&period=month',
      `/api/explore?by=importer&measure=value,lines&limit=20&where=${enc(`origin = ${pick(countries, k + 3)}`)}`,
      '/api/me',
    ][k % 7]!;
  const executive = (k: number) =>
    [
      '/api/explore?by=field_office&measure=value,lines',
      '/api/measures/query?measure=import-value,lines&by=nation&period=month',
      `/api/explore?by=origin&measure=value&where=${enc(`hs2 = ${String(1 + (k % 97)).padStart(2, '0')}`)}`,
      '/api/me',
    ][k % 4]!;
  let next = 0;
  const t0 = Date.now();
  const result = await autocannon({
    url: address,
    connections: CLIENTS,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
          if (context['i'] === undefined) context['i'] = next++ % CLIENTS;
          const i = context['i'] as number;
          const k = ((context['k'] as number | undefined) ?? i) + 1;
          context['k'] = k;
          const path = names[i]!.role === 'executive' ? executive(k) : analyst(k);
          return { ...req, method: 'GET', path, headers: { cookie: `parallax_session=${sessions[i]}` } };
        },
      },
    ],
  });
  const elapsed = (Date.now() - t0) / 1000;
  await app.close();
  await rt.audit.flush();
  const non2xx = result.non2xx;
  console.log(
    JSON.stringify(
      {
        clients: CLIENTS,
        seconds: elapsed,
        requests: result.requests.total,
        throughput_rps: result.requests.average,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx,
        latency_ms: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
        status: { '2xx': result['2xx'], '4xx': result['4xx'], '5xx': result['5xx'] },
        result_cache: rt.results.stats,
      },
      null,
      2,
    ),
  );
} finally {
  await rt.close();
}
process.exit(0);
