/**
 * Graph and path latency on a resolved data directory (for example a 1M-line generated set ingested and
 * resolved with `parallax parties resolve`): the neighbourhood of the biggest hub and of sampled parties at
 * depth 1 to 3, and shortest paths between sampled pairs, each through the scoped query layer with the
 * local operator's scope, as the CLI and API call them. Prints p50 / p95 / max milliseconds. Run on a shared
 * machine the figures are under contention.
 *
 *   npx tsx bench/party-graph.ts DATA_DIR [SAMPLES]
 */
import { openRuntime } from '../src/runtime/index.ts';
import { localOperatorScope, scopedDb } from '../src/query/index.ts';
import { partyGraph, partyPath } from '../src/parties/index.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: npx tsx bench/party-graph.ts DATA_DIR [SAMPLES]');
const SAMPLES = Number(process.argv[3] ?? 10);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(1);
};
const stats = (xs: number[]) => ({ n: xs.length, p50_ms: pct(xs, 50), p95_ms: pct(xs, 95), max_ms: +Math.max(...xs).toFixed(1) });

const rt = await openRuntime({ dataDir });
try {
  const db = scopedDb(rt.store, localOperatorScope('bench'));
  const counts = (await db.db
    .selectFrom('party_edges')
    .select([(eb) => eb.fn.countAll<number>().as('edges')])
    .executeTakeFirst()) as { edges: number };
  // Parties by degree: the biggest hub, then an even sample of the rest.
  const degree = await db.db
    .selectFrom(
      db.db
        .selectFrom('party_edges')
        .select(['src as p'])
        .unionAll(db.db.selectFrom('party_edges').select(['dst as p']))
        .as('x'),
    )
    .select(['x.p', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('x.p')
    .orderBy('n', 'desc')
    .orderBy('x.p')
    .execute();
  const hub = String(degree[0]!['p']);
  const step = Math.max(1, Math.floor(degree.length / (SAMPLES + 1)));
  const sample = Array.from({ length: SAMPLES }, (_, i) => String(degree[(i + 1) * step]!['p']));
  const time = async (f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  const graph: Record<string, unknown> = {};
  for (const depth of [1, 2, 3]) {
    const ms: number[] = [];
    for (const id of sample) ms.push(await time(() => partyGraph(db, id, { depth, cap: 25 })));
    graph[`depth_${depth}`] = { ...stats(ms), hub_ms: +(await time(() => partyGraph(db, hub, { depth, cap: 25 }))).toFixed(1) };
  }
  const pathMs: number[] = [];
  let found = 0;
  for (let i = 0; i < sample.length; i++) {
    const [a, b] = [sample[i]!, sample[(i + 1) % sample.length]!];
    let r: Awaited<ReturnType<typeof partyPath>> = null;
    pathMs.push(await time(async () => void (r = await partyPath(db, a, b, 4))));
    if ((r as { found?: boolean } | null)?.found) found++;
  }
  const hubPath = await time(() => partyPath(db, sample[0]!, hub, 4));
  // Pairs known to be 3 hops apart (a depth-3 node of each sample's neighbourhood): the found case.
  const nearMs: number[] = [];
  let nearFound = 0;
  for (const a of sample) {
    const far = (await partyGraph(db, a, { depth: 3, cap: 25 }))!.nodes.find((n) => n.kind === 'party' && n.depth === 3);
    if (!far) continue;
    let r: Awaited<ReturnType<typeof partyPath>> = null;
    nearMs.push(await time(async () => void (r = await partyPath(db, a, far.id, 4))));
    if ((r as { found?: boolean } | null)?.found) nearFound++;
  }
  process.stdout.write(
    `${JSON.stringify(
      {
        party_graph: {
          parties_with_edges: degree.length,
          trade_edges: Number(counts.edges),
          hub_degree: Number(degree[0]!['n']),
          graph_cap_25: graph,
          path_max_hops_4: { ...stats(pathMs), found, to_hub_ms: +hubPath.toFixed(1) },
          path_3_hops_apart: nearMs.length ? { ...stats(nearMs), found: nearFound } : null,
          note: 'measured on a shared 2-core machine under contention',
        },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await rt.close();
}
