// The daily purge job's timing rules against a real control store: due when the newest purge record is a
// day old, never twice at once, failures logged by class and retried. The purge itself is tested in
// purge.test.ts; here it is a function that records the purge as the real one does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openControlStore, type ControlStore } from '../control/index.ts';
import { retentionStore, type RetentionStore } from './retention-store.ts';
import { purgeSchedule } from './purge-schedule.ts';
import type { PurgeReport } from './purge.ts';

let dir: string;
let control: ControlStore;
let clock: Date;
let retention: RetentionStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parallax-purge-schedule-'));
  control = await openControlStore({ dataDir: dir });
  clock = new Date('2026-03-01T02:00:00Z');
  retention = retentionStore(control, () => clock);
});
afterEach(async () => {
  await control.close();
  rmSync(dir, { recursive: true, force: true });
});

const report = (id: number): PurgeReport => ({ asOf: clock.toISOString(), dryRun: false, rowsRemoved: 3, datasets: [], derived: { anomalies: 0, partyReferences: 0, partyEdges: 0, watchlistHits: 0, quarantinedLines: 0 }, activeHolds: 0, purgeId: id });

describe('purge schedule', () => {
  it('purges at start, not again within a day, then again; one run at a time; stop waits', async () => {
    const runs: string[] = [];
    const logs: string[] = [];
    let release: () => void = () => undefined;
    const gate = () => new Promise<void>((r) => (release = r));
    let wait: Promise<void> | null = gate();
    const s = purgeSchedule({
      retention,
      now: () => clock,
      intervalMs: 3_600_000,
      log: (l) => logs.push(l),
      purge: async (now) => {
        runs.push(now.toISOString());
        if (wait) await wait;
        const rec = await retention.recordPurge({ principal: 'op', asOf: now.toISOString(), rowsRemoved: 3, summary: {} });
        return report(rec.id);
      },
    });
    // The start-up run is in progress: a tick joins it.
    const joined = s.tick();
    release();
    wait = null;
    expect((await joined)?.purgeId).toBe(1);
    expect(runs).toEqual(['2026-03-01T02:00:00.000Z']);
    clock = new Date('2026-03-02T01:59:00Z');
    expect(await s.tick()).toBeNull();
    clock = new Date('2026-03-02T02:00:01Z');
    expect((await s.tick())?.purgeId).toBe(2);
    expect(runs).toHaveLength(2);
    expect(logs).toEqual(['scheduled purge 1: 3 expired row(s) removed', 'scheduled purge 2: 3 expired row(s) removed']);
    await s.stop();
    clock = new Date('2026-03-09T00:00:00Z');
    expect(await s.tick()).toBeNull();
  });

  it('a failed run is logged by its class only and retried at the next check', async () => {
    const logs: string[] = [];
    let fail = true;
    const s = purgeSchedule({
      retention,
      now: () => clock,
      log: (l) => logs.push(l),
      purge: async (now) => {
        if (fail) throw new TypeError('secret value 4711 in the message');
        const rec = await retention.recordPurge({ principal: 'op', asOf: now.toISOString(), rowsRemoved: 0, summary: {} });
        return { ...report(rec.id), rowsRemoved: 0 };
      },
    });
    expect(await s.tick()).toBeNull();
    expect(logs).toEqual(['scheduled purge: the run failed (TypeError); it is retried at the next check']);
    fail = false;
    expect((await s.tick())?.purgeId).toBe(1);
    await s.stop();
  });
});
