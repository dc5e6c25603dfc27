// Outside-test finding 2 (high): after lockout a wrong password got 401 and the right one 423, so guessing went
// on at the rate limit and was confirmed later; the 5th failure and the account request told whether a name
// exists. Run against the real server over TCP: every refusal an outsider can provoke gets one answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRuntime, type TempRuntime } from '../temp-runtime.ts';
import { liveServer, PASSWORD, type LiveServer } from '../live-server.ts';

let t: TempRuntime;
let s: LiveServer;

beforeAll(async () => {
  t = await tempRuntime({ access: { settings: { signInRatePerMinute: 10_000 } } });
  s = await liveServer(t.rt);
  for (const name of ['olga', 'vera', 'sam', 'susan', 'rita']) await t.rt.access.accounts.add({ name, role: 'customs-officer', password: PASSWORD, by: 'test' });
});
afterAll(async () => {
  await s?.close();
  await t?.cleanup();
});

const WRONG = 'not the password at all';

describe('sign-in gives one answer to every refusal', () => {
  it('a locked account answers like a wrong password, even to the right password; the 5th failure says nothing more; one lock event', async () => {
    const anon = s.client();
    const reference = await anon.signIn('no-such-account', WRONG);
    expect(reference.status).toBe(401);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await anon.signIn('olga', WRONG));
    // The 5th failure locks the account, and answers exactly like the four before and like an unknown name.
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect(a.body).toBe(reference.body);
    }
    expect((await t.rt.access.accounts.get('olga'))!.status).toBe('locked');
    // Guessing on goes nowhere: the right password gets the same answer as a wrong one while locked.
    const right = await anon.signIn('olga', PASSWORD);
    expect(right.status).toBe(401);
    expect(right.body).toBe(reference.body);
    expect(right.headers.get('set-cookie')).toBeNull();
    for (let i = 0; i < 3; i++) expect((await anon.signIn('olga', WRONG)).body).toBe(reference.body);

    await t.rt.audit.flush();
    const events = (await t.rt.audit.page({ principal: 'olga', limit: 100 })).rows;
    expect(events.filter((e) => e.event === 'lock')).toHaveLength(1);
    // The trail keeps the real reasons the caller was not told.
    const reasons = events.filter((e) => e.event === 'sign-in').map((e) => e.detail);
    expect(reasons.filter((r) => r === 'wrong-password')).toHaveLength(5);
    expect(reasons.filter((r) => r === 'account-locked')).toHaveLength(4);

    // After an administrator unlocks it with a reason, the right password works again.
    const admin = await s.signedIn('administrator', { name: 'adam' });
    const olga = (await t.rt.access.accounts.get('olga'))!;
    expect((await admin.post(`/api/accounts/${olga.id}/unlock`, { reason: 'verified by phone with the officer' })).status).toBe(200);
    expect((await s.client().signIn('olga', PASSWORD)).status).toBe(200);
  });

  it('suspended and not-yet-active accounts answer like a wrong password; a status is told only after the right password on an active account', async () => {
    const reference = (await s.client().signIn('nobody-at-all', WRONG)).body;
    await t.rt.control.db.updateTable('users').set({ status: 'suspended', lock_reason: 'training attestation expired' }).where('name', '=', 'susan').execute();
    const suspended = await s.client().signIn('susan', PASSWORD);
    expect(suspended.status).toBe(401);
    expect(suspended.body).toBe(reference);
    // An active account whose review date has passed: the right password proves the caller holds it, so the
    // suspension is explained (and happens now).
    await t.rt.control.db.updateTable('users').set({ review_due_at: new Date(Date.now() - 60_000).toISOString() }).where('name', '=', 'rita').execute();
    const due = await s.client().signIn('rita', PASSWORD);
    expect(due.status).toBe(403);
    expect(due.json).toMatchObject({ error: 'suspended' });
    expect(due.json.message).toMatch(/review date passed/);
    // From then on it is a suspended account like any other.
    expect((await s.client().signIn('rita', PASSWORD)).body).toBe(reference);
  });

  it('unknown names take as long as known ones (a dummy hash is verified), so time does not tell either', async () => {
    const time = async (name: string, password: string) => {
      const t0 = performance.now();
      await s.client().signIn(name, password);
      return performance.now() - t0;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const unknown: number[] = [];
    const wrong: number[] = [];
    // Interleaved so load on the machine hits all kinds alike; vera stays under the lock limit.
    for (let i = 0; i < 12; i++) {
      unknown.push(await time(`ghost-${i}`, WRONG));
      wrong.push(await time('vera', i % 4 === 3 ? PASSWORD : WRONG));
    }
    // Without the dummy hash an unknown name answers in well under a tenth of the time of a known one.
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('an anonymous account request answers the same whether the name is taken or the supervisor does not exist', async () => {
    const ask = (name: string, supervisor: string) =>
      s.client().post('/api/accounts/requests', { name, displayName: 'N', agency: 'FIU', supervisor, role: 'investigator', justification: 'case work', password: PASSWORD });
    const fresh = await ask('newcomer', 'sam');
    const taken = await ask('vera', 'sam');
    const noSupervisor = await ask('newcomer2', 'ghost-supervisor');
    const suspendedSupervisor = await ask('newcomer3', 'susan');
    for (const a of [fresh, taken, noSupervisor, suspendedSupervisor]) {
      expect(a.status).toBe(202);
      expect(Object.keys(a.json).sort()).toEqual(['message', 'name', 'status', 'supervisor']);
    }
    const shape = (a: typeof fresh, name: string, sup: string) => a.body.replaceAll(name, 'NAME').replaceAll(sup, 'SUP');
    expect(shape(taken, 'vera', 'sam')).toBe(shape(fresh, 'newcomer', 'sam'));
    expect(shape(noSupervisor, 'newcomer2', 'ghost-supervisor')).toBe(shape(fresh, 'newcomer', 'sam'));
    expect((await t.rt.access.accounts.get('newcomer'))?.status).toBe('requested');
    expect(await t.rt.access.accounts.get('newcomer2')).toBeNull();
    expect((await t.rt.access.accounts.get('vera'))?.agency).not.toBe('FIU');
    await t.rt.audit.flush();
    const trail = (await t.rt.audit.page({ event: 'account-request', limit: 20 })).rows;
    expect(trail.find((e) => e.principal === 'vera')).toMatchObject({ outcome: 'denied', detail: expect.stringContaining('name-taken') });
    expect(trail.find((e) => e.principal === 'newcomer2')).toMatchObject({ outcome: 'denied', detail: expect.stringContaining('supervisor-not-active') });
    expect(trail.find((e) => e.principal === 'newcomer')).toMatchObject({ outcome: 'allowed' });
  });
});

describe('sign-in rate limit', () => {
  it('attempts refused by the rate limit (429) are audited with the name they tried', async () => {
    const u = await tempRuntime({ access: { settings: { signInRatePerMinute: 3 } } });
    const live = await liveServer(u.rt);
    try {
      const c = live.client();
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push((await c.signIn('mallory-target', WRONG)).status);
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      await u.rt.audit.flush();
      const events = (await u.rt.audit.page({ event: 'sign-in', limit: 20 })).rows;
      expect(events.filter((e) => e.detail === 'rate-limited' && e.principal === 'mallory-target' && e.outcome === 'denied')).toHaveLength(2);
      expect(events.filter((e) => e.detail === 'unknown-account')).toHaveLength(3);
    } finally {
      await live.close();
      await u.cleanup();
    }
  });
});
