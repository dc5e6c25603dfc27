/**
 * Quarantine rows are raw source records: reading them needs row-level access to the batch's category and
 * provider, exactly as reading the loaded rows would.
 */
import type { Runtime } from '../runtime/index.ts';
import { grantFor, ScopeDeniedError, type Scope } from '../query/index.ts';
import type { DatasetCategory } from '../schema/index.ts';

export async function assertRowAccessToBatch(rt: Runtime, scope: Scope, batchId: string): Promise<void> {
  const b = await rt.registry.get(batchId);
  // Unknown and forbidden batches look the same, so ids cannot be probed.
  if (!b) throw new ScopeDeniedError(`batch ${batchId}`);
  const g = grantFor(scope, b.category as DatasetCategory);
  if (!g || g.level !== 'row' || (g.providers !== '*' && !g.providers.includes(b.provider))) throw new ScopeDeniedError(`batch ${batchId}`);
}
