// The store's memory limit: applied to the engine when given, refused with a message when malformed.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAnalyticalStore, StoreConfigError } from './analytical-store.ts';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'parallax-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('analytical store memory limit', () => {
  it('sets the engine limit it is given', async () => {
    const store = await openAnalyticalStore(fresh(), { memoryLimit: '1GB' });
    try {
      const v = await store.withWriteConnection(async (c) => String((await c.runAndReadAll("SELECT current_setting('memory_limit')")).getRows()[0]![0]));
      // DuckDB reports the limit in its own units: 1GB is 953.6 MiB.
      expect(v).toMatch(/^953\.6 MiB$|^1\.0 GB$|^1 GB$/);
    } finally {
      await store.close();
    }
  });

  it('refuses a malformed limit and says what to set', async () => {
    await expect(openAnalyticalStore(fresh(), { memoryLimit: 'lots' })).rejects.toThrow(StoreConfigError);
    await expect(openAnalyticalStore(fresh(), { memoryLimit: '6 G' })).rejects.toThrow(/a size such as 6GB or 512MB/);
  });
});
