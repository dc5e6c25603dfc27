/**
 * The download quota for results that name parties (access.md: "rows and bytes a user may export or page
 * through"). Line pages and exports were always charged; an explore page grouped by importer name is just as
 * row-level, so every result that lists named parties row by row is charged the same way.
 *
 * The rule (README, "Download quotas"; test/authorization-matrix.test.ts):
 * - charged, before the response is sent, with the rows it lists and its size in bytes: explore pages and
 *   measures queries grouped by a party dimension (importer, exporter, manufacturer, declarant, payer, payee
 *   and their names), saved-report runs grouped by one, anomaly pages and one anomaly with its parties
 *   (reasons and evidence name parties and declarations), party search results, a party's page (members,
 *   counterparties, goods, anomalies, hits), its graph and a path between two parties, the parties of a page
 *   of lines (/api/lines/links) and the trading parties behind a watch-list entry (/api/watchlist-hits); line
 *   pages and every export as before;
 * - not charged: aggregates without a party dimension, catalogues, run lists, screening a name against the
 *   public watch lists, the caller's own audit events.
 * The response that would cross the limit is refused, the account locks and its sessions end (download-quota.ts).
 */
import type { FastifyRequest } from 'fastify';
import { CATALOGUES, type ExploreDataset } from '../explore/index.ts';

/** True when one of the dimensions names a party (the catalogue's `party` flag) in the dataset. */
export function namesParties(dataset: ExploreDataset | undefined, by: readonly string[]): boolean {
  const dims = CATALOGUES[dataset ?? 'trade']?.dimensions ?? [];
  return by.some((b) => dims.find((d) => d.id === b)?.party === true);
}

/** Charges `result` (as it will be serialised) against the caller's quota when it lists rows; returns it. */
export async function chargeNamed<T>(req: FastifyRequest, route: string, rows: number, result: T): Promise<T> {
  if (rows > 0) await req.chargeDownload({ rows, bytes: Buffer.byteLength(JSON.stringify(result)), route });
  return result;
}
