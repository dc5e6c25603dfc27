// Decisions in the control store: append-only history, each new decision superseding the last on its subject.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { decisionStore } from './index.ts';

let t: TempRuntime;
beforeAll(async () => {
  t = await tempRuntime();
});
afterAll(async () => t?.cleanup());

describe('decision store', () => {
  it('keeps every decision, chains supersedes per subject and answers the latest one', async () => {
    const ds = decisionStore(t.rt.control);
    const a = await ds.record({ subject_kind: 'hit', subject_id: 'H1', decision: 'escalate', entry_fingerprint: 'f1', decided_by: 'ana' });
    const other = await ds.record({ subject_kind: 'hit', subject_id: 'H2', decision: 'confirmed', decided_by: 'ana' });
    const b = await ds.record({ subject_kind: 'hit', subject_id: 'H1', decision: 'false_positive', note: 'different company', entry_fingerprint: 'f1', decided_by: 'bo' });
    const anomaly = await ds.record({ subject_kind: 'anomaly', subject_id: 'H1', decision: 'confirmed', decided_by: 'bo' });
    expect(a.supersedes).toBeNull();
    expect(other.supersedes).toBeNull();
    expect(b.supersedes).toBe(a.id);
    // The same id under another subject kind is another subject.
    expect(anomaly.supersedes).toBeNull();
    expect((await ds.history('hit', ['H1'])).map((d) => [d.decision, d.decided_by])).toEqual([['escalate', 'ana'], ['false_positive', 'bo']]);
    const latest = await ds.latest('hit', ['H1', 'H2', 'H3']);
    expect([...latest.keys()].sort()).toEqual(['H1', 'H2']);
    expect(latest.get('H1')).toMatchObject({ decision: 'false_positive', entry_fingerprint: 'f1', note: 'different company' });
    // Every subject of a kind at once (the decision mirror's full rebuild reads this).
    const all = await ds.latestAll('hit');
    expect([...all].map(([id, d]) => [id, d.decision, d.id]).sort()).toEqual([['H1', 'false_positive', b.id], ['H2', 'confirmed', other.id]]);
    expect([...(await ds.latestAll('anomaly')).keys()]).toEqual(['H1']);
  });
});
