/**
 * Property test of the CSV path (Jazzer.js cannot run here): arbitrary bytes after a valid header either
 * load, with every rejected record quarantined, or fail with an InputError — and a failure never changes
 * what was stored before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ingestFile, InputError } from './index.ts';
import { CANONICAL_HEADER, canonicalLine, storeFingerprint, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

let t: TempRuntime;
beforeAll(async () => {
  t = await tempRuntime();
  await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file('base.csv', `${CANONICAL_HEADER}\n${canonicalLine()}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'fuzz' });
});
afterAll(async () => t.cleanup());

const cell = fc.oneof(fc.constantFrom('', '"', '""', ',', '\n', '\r\n', '=1+1', '-0', 'NaN', 'inf', '1e309', '2024-02-30', 'ü', '\u0000'), fc.string({ maxLength: 6 }));

describe('CSV ingest under random input', () => {
  it('loads or refuses cleanly; counts always add up', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cell, { minLength: 1, maxLength: 34 }), { minLength: 1, maxLength: 8 }), async (rows) => {
        const body = `${CANONICAL_HEADER}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
        const before = await storeFingerprint(t.rt);
        try {
          const r = await ingestFile({ store: t.rt.store, registry: t.rt.registry }, t.file(`f${n++}.csv`, body), { profile: 'canonical', category: 'trade', provider: 'FZ', loadedBy: 'fuzz' });
          expect(r.rows_accepted + r.rows_rejected).toBe(r.rows_read);
          if (!r.duplicate) {
            const q = await t.rt.registry.quarantine(r.batch_id, { limit: 1000, offset: 0 });
            expect(q.total).toBe(r.rows_rejected);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          expect(await storeFingerprint(t.rt)).toBe(before);
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
