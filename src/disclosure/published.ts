/**
 * Published dimensions: what an aggregate-only scope may group, filter and sort by (access.md: "Aggregate-only
 * users filter and group only on published dimensions, never on record identifiers or measure values").
 *
 * Invariants:
 * - An allow-list per dataset, not a deny-list: a dimension or filter field added to a catalogue later is
 *   refused at aggregate-only access until it is judged and listed here (fail closed).
 * - Published means a classification a statistical office would publish a table by: countries, the HS
 *   hierarchy and sectors, the port hierarchy, periods (month, quarter, year — not the day), flow, transport
 *   mode, currency, payment instrument and report type, enforcement event type and outcome, and the provider
 *   (the reporting agency). Not published: named parties and their ids (importer, exporter, manufacturer,
 *   declarant, payer, payee), banks (a BIC names a business), batches (one file can be one record), the day,
 *   the full national tariff code, record identifiers (declaration, line, payment, invoice, event ids) and
 *   measure values (value, quantity, mass, unit price, duty, rates, amounts, penalties) and record flags.
 *   With those, two large totals can be made to differ by exactly one chosen record.
 */
import { ScopeDeniedError } from '../query/index.ts';

export type PublishedDataset = 'trade' | 'payments' | 'enforcement';

const PERIODS = ['month', 'quarter', 'year'];
const GOODS = ['hs_section', 'hs_section_name', 'hs2', 'hs_chapter', 'hs4', 'hs6', 'sector'];
const PORTS = ['port', 'field_office', 'nation'];

export const PUBLISHED: Readonly<Record<PublishedDataset, ReadonlySet<string>>> = {
  trade: new Set(['origin', 'departure', 'destination', 'partner', 'reporter', ...GOODS, ...PORTS, ...PERIODS, 'flow', 'mode', 'currency', 'provider']),
  payments: new Set(['payer_country', 'payee_country', 'instrument', 'report_type', 'currency', ...PERIODS, 'provider']),
  enforcement: new Set(['origin', 'reporter', ...GOODS, ...PORTS, ...PERIODS, 'currency', 'provider', 'event_type', 'outcome']),
};

/**
 * Refuses, at aggregate-only access, any dimension or filter field that is not published. `uses` names where
 * each id appears (by, where, sort, cell) so the message says what to change.
 */
export function assertPublished(dataset: PublishedDataset, uses: readonly { id: string; in: 'by' | 'where' | 'sort' | 'cell' }[]): void {
  const allowed = PUBLISHED[dataset];
  const bad = uses.filter((u) => !allowed.has(u.id));
  if (!bad.length) return;
  const list = [...new Set(bad.map((u) => `${u.id} in ${u.in}`))].join(', ');
  throw new ScopeDeniedError(
    `${list} at aggregate-only access: only published dimensions may be grouped, filtered or sorted by (${[...allowed].join(', ')}); ` +
      'record identifiers, named parties and measure values are not',
  );
}
