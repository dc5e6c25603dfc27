// The lower findings of the outside test, each as it was attacked: impossible dates in filters, renewals to
// 2099 and 9999, world-readable data files, hostile CSV input (a 60 MB quoted field, a gzip of a header and
// 1.5 GB of NUL bytes, a NUL inside a field) and the same file loaded again for another provider. (Batch ids
// after kill -9: test/kill-during-ingest.test.ts; rate-limited sign-ins: sign-in-enumeration.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, createWriteStream, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { ingestFile } from '../../src/ingest/index.ts';
import { InputError } from '../../src/ingest/input-error.ts';
import { openRuntime } from '../../src/runtime/index.ts';
import { CANONICAL_HEADER, canonicalLine, storeFingerprint, tempRuntime, type TempRuntime } from '../temp-runtime.ts';
import { liveServer, type LiveServer } from '../live-server.ts';

let t: TempRuntime;
let s: LiveServer;
const opts = { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' };
const deps = () => ({ store: t.rt.store, registry: t.rt.registry });

beforeAll(async () => {
  t = await tempRuntime();
  await ingestFile(deps(), t.file('base.csv', `${[CANONICAL_HEADER, ...Array.from({ length: 20 }, (_, i) => canonicalLine({ declaration_id: `B${i}`, importer_id: `I${i}` }))].join('\n')}\n`), opts);
  s = await liveServer(t.rt);
});
afterAll(async () => {
  await s?.close();
  await t?.cleanup();
});

describe('filters with impossible dates', () => {
  it('answer 400 naming the field, on explore, measures and the purge preview', async () => {
    const inv = await s.signedIn('investigator');
    for (const d of ['2024-13-45', '2023-02-29', '2024-04-31']) {
      const a = await inv.get(`/api/explore?by=origin&where=${encodeURIComponent(`date > '${d}'`)}`);
      expect(a.status, d).toBe(400);
      expect(a.json.message).toMatch(/^where: date compares with calendar dates/);
      expect(a.body).not.toContain(d);
      expect((await inv.get(`/api/measures/query?measure=lines&by=origin&where=${encodeURIComponent(`date >= '${d}'`)}`)).status).toBe(400);
    }
    expect((await inv.get(`/api/explore?by=origin&where=${encodeURIComponent("date > '2024-02-29'")}`)).status).toBe(200);
    const sec = await s.signedIn('security-administrator');
    const p = await sec.get('/api/retention/preview?as_of=2024-13-45');
    expect(p.status).toBe(400);
    expect(p.json.message).toMatch(/^as_of: /);
  });
});

describe('account renewal', () => {
  it('bounds the training attestation and the review date by the policy periods', async () => {
    const admin = await s.signedIn('administrator', { name: 'adam' });
    await t.rt.access.accounts.add({ name: 'rene', role: 'customs-officer', password: 'correct horse battery staple', by: 'test' });
    const id = (await t.rt.access.accounts.get('rene'))!.id;
    const today = new Date().toISOString().slice(0, 10);
    const renew = (b: Record<string, string>) => admin.post(`/api/accounts/${id}/renew`, b);
    const future = await renew({ trainingAttestedAt: '2099-01-01' });
    expect(future.status).toBe(400);
    expect(future.json.message).toMatch(/^trainingAttestedAt: cannot be in the future/);
    const far = await renew({ trainingAttestedAt: today, reviewDueAt: '9999-12-31' });
    expect(far.status).toBe(400);
    expect(far.json.message).toMatch(/^reviewDueAt: at most 365 days/);
    expect((await renew({ trainingAttestedAt: '2024-02-31' })).json.message).toMatch(/^trainingAttestedAt: expected a calendar date/);
    expect((await renew({ trainingAttestedAt: '2020-01-01' })).json.message).toMatch(/already expired/);
    const ok = await renew({ trainingAttestedAt: today });
    expect(ok.status).toBe(200);
    expect(Date.parse(ok.json.reviewDueAt) - Date.now()).toBeLessThanOrEqual(365 * 86_400_000 + 60_000);
  });
});

describe('the data directory', () => {
  it('is 0700 and its files 0600 (stores, write-ahead logs, keys), even under umask 022 and for an older directory', async () => {
    const dir = join(t.dir, 'perm-data');
    mkdirSync(dir, { mode: 0o755 });
    writeFileSync(join(dir, 'left-over.log'), 'x', { mode: 0o644 });
    chmodSync(join(dir, 'left-over.log'), 0o644);
    const old = process.umask(0o022);
    try {
      const rt = await openRuntime({ dataDir: dir });
      try {
        await ingestFile({ store: rt.store, registry: rt.registry }, t.file('perm.csv', `${CANONICAL_HEADER}\n${canonicalLine()}\n`), opts);
        await rt.audit.append({ event: 'query', principal: 'p', source: 'test', outcome: 'allowed' });
        await rt.auditTrail.checkpoint();
        expect(statSync(dir).mode & 0o777).toBe(0o700);
        const files = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile());
        expect(files).toEqual(expect.arrayContaining(['control.sqlite', 'parallax.duckdb', 'left-over.log']));
        for (const f of files) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
        expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
        for (const f of readdirSync(join(dir, 'keys')).filter((x) => !x.endsWith('.pub'))) expect(statSync(join(dir, 'keys', f)).mode & 0o777, f).toBe(0o600);
      } finally {
        await rt.close();
      }
      // Files the engines create after open (write-ahead logs, checkpoints) are 0600 too.
      for (const f of readdirSync(dir).filter((x) => statSync(join(dir, x)).isFile())) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });
});

describe('hostile CSV input', () => {
  it('a record with a 60 MB quoted field is quarantined as too long, with the start of that record', async () => {
    const p = join(t.dir, 'long-field.csv');
    const w = createWriteStream(p);
    w.write(`${CANONICAL_HEADER}\n${canonicalLine({ declaration_id: 'L1' })}\n`);
    const [pre, post] = canonicalLine({ declaration_id: 'L2', description: 'XXX' }).split('XXX');
    w.write(`${pre}"`);
    const chunk = 'z'.repeat(1 << 20);
    for (let i = 0; i < 60; i++) if (!w.write(chunk)) await once(w, 'drain');
    w.write(`"${post}\n${canonicalLine({ declaration_id: 'L3' })}\n`);
    w.end();
    await once(w, 'finish');
    const r = await ingestFile(deps(), p, opts);
    expect(r.rows_accepted).toBeGreaterThanOrEqual(1);
    const q = await t.rt.registry.quarantine(r.batch_id, { limit: 10, offset: 0 });
    const bad = q.rows.find((x) => x.line === 3)!;
    expect(bad.reason).toMatch(/^record longer than 1 MiB: a quoted field near column #10 is not closed within the limit/);
    expect(bad.raw).toMatch(/^L2,1,import,/);
    expect(bad.raw!.length).toBeLessThan(5000);
    expect(bad.raw).toMatch(/truncated/);
  }, 120_000);

  it('a .gz of a header and 1.5 GB of NUL bytes is refused with a clear error, storing nothing', async () => {
    const p = join(t.dir, 'zeros.csv.gz');
    const gz = createGzip({ level: 1 });
    const out = createWriteStream(p);
    gz.pipe(out);
    gz.write(`${CANONICAL_HEADER}\n`);
    const zeros = Buffer.alloc(8 << 20);
    for (let i = 0; i < 192; i++) if (!gz.write(zeros)) await once(gz, 'drain'); // 1.5 GiB, streamed
    gz.end();
    await once(out, 'finish');
    expect(statSync(p).size).toBeLessThan(20 << 20);
    const before = await storeFingerprint(t.rt);
    const started = performance.now();
    const e = await ingestFile(deps(), p, opts).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/binary data \(a NUL byte at byte \d+ of its decompressed text\), not delimited text/);
    // Refused from the first bytes, not after inflating 1.5 GB.
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(await storeFingerprint(t.rt)).toBe(before);
  }, 180_000);

  it('a NUL inside a field is quarantined with its reason, never stored', async () => {
    const r = await ingestFile(deps(), t.file('nul.csv', `${CANONICAL_HEADER}\n${canonicalLine({ declaration_id: 'N1' })}\n${canonicalLine({ declaration_id: 'N2', importer_name: 'Acme\u0000Steel' })}\n`), opts);
    expect([r.rows_accepted, r.rows_rejected]).toEqual([1, 1]);
    const q = await t.rt.registry.quarantine(r.batch_id, { limit: 10, offset: 0 });
    expect(q.rows).toEqual([expect.objectContaining({ line: 3, field: 'importer_name', reason: 'contains a NUL character (binary data, not text)' })]);
    const stored = await t.rt.store.withWriteConnection(async (c) => (await c.runAndReadAll("SELECT count(*)::INTEGER FROM trade_lines WHERE contains(importer_name, chr(0))")).getRows()[0]![0]);
    expect(stored).toBe(0);
  });
});

describe('the same file for another provider', () => {
  it('says which batch holds it for which provider and how to load it for this one', async () => {
    const p = t.file('twice.csv', `${CANONICAL_HEADER}\n${canonicalLine({ declaration_id: 'T1' })}\n`);
    const first = await ingestFile(deps(), p, opts);
    const before = await storeFingerprint(t.rt);
    const e = (await ingestFile(deps(), p, { ...opts, provider: 'MX' }).catch((x: unknown) => x)) as InputError;
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain(`already loaded as ${first.batch_id} for provider US`);
    expect(e.message).toContain('not for MX');
    expect(e.hint).toMatch(/--provider MX --also-for-provider/);
    expect(await storeFingerprint(t.rt)).toBe(before);
    // The same provider again is the usual no-op; asked for explicitly, MX gets its own batch.
    expect((await ingestFile(deps(), p, opts)).duplicate).toBe(true);
    const mx = await ingestFile(deps(), p, { ...opts, provider: 'MX', alsoForProvider: true });
    expect(mx).toMatchObject({ duplicate: false, rows_accepted: 1 });
    expect(mx.batch_id).not.toBe(first.batch_id);
  });
});
