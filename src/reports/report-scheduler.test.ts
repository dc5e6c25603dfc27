// The schedule inside a server: a due monthly report is written to the archive by the first check, is not
// due again until next month, a failing check is logged by class and the schedule goes on, and stop()
// waits for the check in progress.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ingestFile } from '../ingest/index.ts';
import { localOperatorScope } from '../query/index.ts';
import { CANONICAL_HEADER, canonicalLine, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { parseReportInput, reportScheduler, reportStore, runDue } from './index.ts';

let t: TempRuntime;
beforeAll(async () => {
  t = await tempRuntime();
  const rows = ['2025-01-10', '2025-01-20', '2025-02-05'].map((d, i) => canonicalLine({ declaration_id: `S${i}`, date: d, value: 100 * (i + 1) }));
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('s.csv', `${CANONICAL_HEADER}\n${rows.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
});
afterAll(async () => t?.cleanup());

describe('report scheduler', () => {
  it('writes a due report to the archive at its first check, then waits for the next month', async () => {
    const store = reportStore(t.rt.control);
    const saved = await store.save(
      parseReportInput({ name: 'by-port-monthly', title: 'By port', spec: { measures: ['import-value'], by: ['port'], period: 'month', window: 'previous' }, schedule: 'monthly', formats: ['csv'] }),
      'author',
    );
    await store.setNextRun(saved.id, '2025-02-01T00:00:00.000Z');
    const now = new Date('2025-02-01T06:00:00Z');
    const lines: string[] = [];
    const ctx = { principal: 'operator', source: 'scheduler' };
    const s = reportScheduler({
      runDue: (at) => runDue({ store: t.rt.store, reports: store, audit: t.rt.audit, dataDir: t.rt.dataDir }, ctx, localOperatorScope('operator'), at),
      intervalMs: 60_000,
      log: (l) => lines.push(l),
      now: () => now,
    });
    const first = await s.tick(); // joins the check the scheduler started at once
    expect(first.map((r) => [r.status, r.period_label, r.files])).toEqual([['ok', '2025-01', ['by-port-monthly/2025-01.csv']]]);
    expect(existsSync(join(t.rt.dataDir, 'reports', 'by-port-monthly', '2025-01.csv'))).toBe(true);
    expect(lines).toEqual(['scheduled reports: 1 written to the archive']);
    expect(await s.tick()).toEqual([]); // next run is 2025-03-01
    expect((await store.get('by-port-monthly')).next_run_at).toBe('2025-03-01T00:00:00.000Z');
    await s.stop();
    expect(await s.tick()).toEqual([]);
  });

  it('logs a failing check by its error class, without its message, and keeps checking', async () => {
    const lines: string[] = [];
    let calls = 0;
    class StoreGone extends Error {}
    const s = reportScheduler({
      runDue: async () => {
        calls++;
        if (calls === 1) throw new StoreGone('secret value 4711');
        return [];
      },
      intervalMs: 60_000,
      log: (l) => lines.push(l),
    });
    expect(await s.tick()).toEqual([]);
    expect(lines).toEqual(['scheduled reports: the check failed (StoreGone); it is retried at the next check']);
    expect(await s.tick()).toEqual([]);
    expect(calls).toBe(2);
    await s.stop();
  });
});
