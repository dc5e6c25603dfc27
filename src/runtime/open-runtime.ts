/**
 * The composition root: opens the stores for a data directory and wires the services the CLI and the HTTP
 * server share. Nothing else constructs stores, so there is exactly one place that decides which engines
 * run and how they are configured, and no module keeps a mutable singleton.
 */
import { join, resolve } from 'node:path';
import { openAnalyticalStore, type AnalyticalStore } from '../store/index.ts';
import { batchRegistry, openControlStore, type AuditLog, type BatchRegistry, type ControlStore } from '../control/index.ts';
import { auditTrail, type AuditTrail } from '../audit/index.ts';
import { REFERENCE_DIR, seedReferenceDefaults } from '../reference/index.ts';
import { ratesAtOpen } from '../fx/index.ts';
import { AccountError, accessServices, type AccessOptions, type AccessServices } from '../accounts/index.ts';
import { localOperatorScope, resultCache, type ResultCache, type Scope } from '../query/index.ts';
import { retentionStore, type RetentionStore } from '../privacy/index.ts';
import { loadOrCreateCellKeySecret } from '../disclosure/index.ts';
import { secureDataDir, tighten } from './data-dir.ts';

export interface RuntimeOptions {
  dataDir?: string | undefined;
  databaseUrl?: string | undefined;
  /** Security settings (timeouts, quotas, purpose requirement) and the policy directory; defaults per access.md. */
  access?: AccessOptions | undefined;
  /**
   * Run as this account: `operatorScope` becomes the account's policy scope instead of the custodian's.
   * The CLI sets it from PARALLAX_USER, so a command reads exactly what that user may read.
   */
  actAs?: string | undefined;
  /** DuckDB's memory limit (e.g. "6GB"); default PARALLAX_MEMORY_LIMIT, else the engine's own. */
  memoryLimit?: string | undefined;
}

/**
 * The control side alone: accounts, sessions, the audit trail. Commands that touch nothing analytical
 * (users, audit) open only this, so they work while `serve` holds the analytical store's lock.
 */
export interface ControlRuntime {
  readonly dataDir: string;
  readonly control: ControlStore;
  readonly registry: BatchRegistry;
  readonly audit: AuditLog;
  /** Checkpoints, verification, export and the disclosure ledger of the same audit trail. */
  readonly auditTrail: AuditTrail;
  readonly access: AccessServices;
  /** Retention periods, legal holds and the purge record (privacy by design). */
  readonly retention: RetentionStore;
  close(): Promise<void>;
}

export interface Runtime extends ControlRuntime {
  readonly store: AnalyticalStore;
  /**
   * What the operator of this runtime may read: the custodian of the data directory (every category at row
   * level — they can open the files anyway), or the policy scope of the `actAs` account.
   */
  readonly operatorScope: Scope;
  /** Explore and measures results by scope, request and data version (see query/result-cache.ts). */
  readonly results: ResultCache;
}

export async function openControlRuntime(opts: RuntimeOptions = {}): Promise<ControlRuntime> {
  const dataDir = resolveDataDir(opts.dataDir);
  const databaseUrl = opts.databaseUrl ?? process.env['PARALLAX_DATABASE_URL'] ?? undefined;
  secureDataDir(dataDir);
  const control = await openControlStore({ dataDir, databaseUrl: databaseUrl || undefined });
  const trail = auditTrail(control, { dataDir });
  tighten(dataDir);
  return {
    dataDir,
    control,
    registry: batchRegistry(control, { audit: trail.log }),
    audit: trail.log,
    auditTrail: trail,
    access: accessServices(control, opts.access),
    retention: retentionStore(control),
    async close() {
      await trail.close();
      await control.close();
    },
  };
}

export function resolveDataDir(explicit?: string): string {
  return resolve(explicit ?? process.env['PARALLAX_DATA'] ?? './data');
}

export async function openRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const dataDir = resolveDataDir(opts.dataDir);
  const databaseUrl = opts.databaseUrl ?? process.env['PARALLAX_DATABASE_URL'] ?? undefined;
  secureDataDir(dataDir);
  const store = await openAnalyticalStore(dataDir, { memoryLimit: opts.memoryLimit, cellKeySecret: loadOrCreateCellKeySecret(join(dataDir, 'keys')) });
  let control: ControlStore;
  try {
    control = await openControlStore({ dataDir, databaseUrl: databaseUrl || undefined });
  } catch (e) {
    await store.close();
    throw e;
  }
  await store.withWriteConnection(async (c) => {
    await seedReferenceDefaults(c);
    // USD columns follow the rates in force: seeded rates, an upgraded store or a changed shipped table convert here.
    await ratesAtOpen(c, REFERENCE_DIR, { scanTables: store.upgraded !== null });
  });
  const trail = auditTrail(control, { dataDir });
  tighten(dataDir);
  const access = accessServices(control, opts.access);
  let operatorScope: Scope = localOperatorScope(process.env['USER'] ?? 'local-operator');
  if (opts.actAs) {
    const account = await access.accounts.get(opts.actAs);
    if (!account || account.status !== 'active') {
      await trail.close();
      await control.close();
      await store.close();
      throw new AccountError('forbidden', `PARALLAX_USER=${opts.actAs}: no active account of that name`);
    }
    operatorScope = access.decide(account).scope;
  }
  return {
    dataDir,
    store,
    operatorScope,
    results: resultCache(store),
    control,
    registry: batchRegistry(control, { audit: trail.log }),
    audit: trail.log,
    auditTrail: trail,
    access,
    retention: retentionStore(control),
    async close() {
      await trail.close();
      await control.close();
      await store.close();
    },
  };
}
