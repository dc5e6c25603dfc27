/**
 * The composition root: opens the stores for a data directory and wires the services the CLI and the HTTP
 * server share. Nothing else constructs stores, so there is exactly one place that decides which engines
 * run and how they are configured, and no module keeps a mutable singleton.
 */
import { resolve } from 'node:path';
import { openAnalyticalStore, type AnalyticalStore } from '../store/index.ts';
import { auditLog, batchRegistry, openControlStore, type AuditLog, type BatchRegistry, type ControlStore } from '../control/index.ts';
import { seedReferenceDefaults } from '../reference/index.ts';

export interface RuntimeOptions {
  dataDir?: string | undefined;
  databaseUrl?: string | undefined;
}

export interface Runtime {
  readonly dataDir: string;
  readonly store: AnalyticalStore;
  readonly control: ControlStore;
  readonly registry: BatchRegistry;
  readonly audit: AuditLog;
  close(): Promise<void>;
}

export function resolveDataDir(explicit?: string): string {
  return resolve(explicit ?? process.env['PARALLAX_DATA'] ?? './data');
}

export async function openRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const dataDir = resolveDataDir(opts.dataDir);
  const databaseUrl = opts.databaseUrl ?? process.env['PARALLAX_DATABASE_URL'] ?? undefined;
  const store = await openAnalyticalStore(dataDir);
  let control: ControlStore;
  try {
    control = await openControlStore({ dataDir, databaseUrl: databaseUrl || undefined });
  } catch (e) {
    await store.close();
    throw e;
  }
  await store.withWriteConnection((c) => seedReferenceDefaults(c));
  return {
    dataDir,
    store,
    control,
    registry: batchRegistry(control),
    audit: auditLog(control),
    async close() {
      await control.close();
      await store.close();
    },
  };
}
