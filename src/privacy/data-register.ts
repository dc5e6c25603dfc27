/**
 * The data register (access.md, transparency): every source the system holds, in the columns of a public
 * data-flow inventory (source, destination, full name, classification, sharing type, owner, information
 * provided, reference) plus category, provider, direction, who can see it, retention and holdings.
 *
 * Invariants:
 * - Metadata only: batch records, profile field lists, watch-list version records (publisher, date, count),
 *   disclosure counts by nature and recipient, and the role decisions of the policies. No row value, party
 *   name or list entry is read, so the register can be shown to roles that read no data (auditor).
 * - Watch-list versions are read through the scoped query layer under the register's own system scope,
 *   restricted by the query to the versions table's metadata columns; this is the one place that scope is used.
 * - "Who can see it" is asked of the Cedar policies, role by role, exactly as a user's scope is decided,
 *   so the register cannot claim an access the policies do not grant (or miss one they do).
 */
import type { ControlStore } from '../control/index.ts';
import type { AnalyticalStore } from '../store/index.ts';
import { decideAccess, ROLES, type PolicyEngine } from '../access/index.ts';
import { localOperatorScope, scopedDb } from '../query/index.ts';
import { DATASETS, type DatasetCategory, type DatasetId } from '../schema/index.ts';
import { emitSets, loadProfile } from '../profiles/index.ts';
import type { RetentionStore } from './retention-store.ts';
import type { RetentionPolicy } from './retention-policy.ts';
import { writeCsv } from '../reports/index.ts';

export interface RegisterEntry {
  source: string;
  destination: string;
  fullName: string;
  classification: string;
  sharingType: string;
  owner: string;
  informationProvided: string[];
  reference: string;
  category: DatasetCategory | 'disclosure';
  provider: string;
  direction: 'inbound' | 'outbound';
  /** Role -> level the policies grant on this source ('row' or 'aggregate'); roles without access left out. */
  access: Record<string, 'row' | 'aggregate'>;
  retention: string;
  records: number;
  firstAt: string | null;
  lastAt: string | null;
}

export interface DataRegister {
  generatedAt: string;
  policyVersion: string;
  entries: RegisterEntry[];
}

const DATASET_TITLES: Record<DatasetId, string> = {
  trade_lines: 'Customs declarations',
  payments: 'Financial transaction reports',
  mirror_stats: 'Mirror trade statistics',
  enforcement_events: 'Enforcement events',
};

const CLASSIFICATION: Record<DatasetCategory, string> = {
  trade: 'Sensitive: commercial trade information',
  financial: 'Sensitive: financial information',
  enforcement: 'Sensitive: law enforcement information',
  watchlist: 'Official list (published or internal)',
  reference: 'Public reference data',
};

function retentionText(p: RetentionPolicy | undefined, holds: number): string {
  if (!p) return 'kept while the list version is current; replaced by later versions';
  const base = `${p.years} year${p.years === 1 ? '' : 's'} from ${p.basis === 'loaded' ? 'loading' : "the record's date"}`;
  return holds ? `${base}; ${holds} legal hold${holds === 1 ? '' : 's'} active` : base;
}

function fieldsOf(profileName: string, dataset: DatasetId): string[] {
  try {
    const p = loadProfile(profileName);
    return [...new Set(emitSets(p).flatMap((s) => Object.keys(s)))].sort();
  } catch {
    // A profile file that has since moved: the dataset's canonical fields are an upper bound. Reference tables
    // (ref_ports, ref_fx, ...) have no canonical dataset and no profile file: their own table names the content.
    return DATASETS[dataset]?.fields.map((f) => f.name) ?? [`${dataset} reference table`];
  }
}

type Decide = (role: (typeof ROLES)[number], provider: string | null) => ReturnType<typeof decideAccess>;

/** One policy decision per (role, provider) for the whole register: sources share them. */
function decider(engine: PolicyEngine): Decide {
  const memo = new Map<string, ReturnType<typeof decideAccess>>();
  return (role, provider) => {
    const key = `${role}\u0000${provider ?? ''}`;
    let d = memo.get(key);
    if (!d) memo.set(key, (d = decideAccess(engine, { name: `register:${role}`, role, provider })));
    return d;
  };
}

function whoCanSee(decide: Decide, category: DatasetCategory, provider: string): Record<string, 'row' | 'aggregate'> {
  const out: Record<string, 'row' | 'aggregate'> = {};
  for (const role of ROLES) {
    // A partner analyst of this very provider is the best case the policies can grant that role here.
    const d = decide(role, role === 'partner-analyst' ? provider : null);
    const g = d.scope.grants.find((x) => x.category === category);
    if (g && (g.providers === '*' || g.providers.includes(provider))) out[role === 'partner-analyst' ? `partner-analyst (${provider})` : role] = g.level;
  }
  return out;
}

export async function buildDataRegister(deps: { control: ControlStore; store: AnalyticalStore; policies: PolicyEngine; retention: RetentionStore }): Promise<DataRegister> {
  const decide = decider(deps.policies);
  const [policies, holds, purges] = await Promise.all([deps.retention.policies(), deps.retention.holds({ active: true }), deps.retention.purges(10_000)]);
  const purged = new Map<string, number>();
  for (const p of purges) {
    const datasets = ((p.summary as { datasets?: { batches?: Record<string, number> }[] }).datasets ?? []);
    for (const d of datasets) for (const [b, n] of Object.entries(d.batches ?? {})) purged.set(b, (purged.get(b) ?? 0) + n);
  }
  const groups = await deps.control.db
    .selectFrom('batches')
    .select(['dataset', 'category', 'provider', 'profile'])
    .select((eb) => [
      eb.fn.countAll<number>().as('batches'),
      eb.fn.sum<number>('rows_accepted').as('rows'),
      eb.fn.min('started_at').as('first_at'),
      eb.fn.max('started_at').as('last_at'),
    ])
    .where('status', '=', 'committed')
    .groupBy(['dataset', 'category', 'provider', 'profile'])
    .orderBy('dataset')
    .orderBy('provider')
    .orderBy('profile')
    .execute();
  const batchIds = await deps.control.db.selectFrom('batches').select(['batch_id', 'dataset', 'provider', 'profile']).where('status', '=', 'committed').execute();
  const entries: RegisterEntry[] = [];
  for (const g of groups) {
    const dataset = g.dataset as DatasetId;
    const category = g.category as DatasetCategory;
    const mine = batchIds.filter((b) => b.dataset === g.dataset && b.provider === g.provider && b.profile === g.profile).map((b) => b.batch_id).sort();
    const removed = mine.reduce((a, b) => a + (purged.get(b) ?? 0), 0);
    const policy = policies.find((p) => p.category === category);
    const holdCount = holds.filter((h) => (h.kind === 'category' && h.target === category) || (h.kind === 'provider' && h.target === g.provider) || (h.kind === 'batch' && batchIds.some((b) => b.batch_id === h.target && b.dataset === g.dataset && b.provider === g.provider))).length;
    entries.push({
      source: `${g.provider}: ${DATASET_TITLES[dataset] ?? dataset} (profile ${g.profile})`,
      destination: `Parallax analytical store, table ${dataset}`,
      fullName: `${DATASET_TITLES[dataset] ?? dataset}: ${DATASETS[dataset]?.doc ?? ''}`,
      classification: CLASSIFICATION[category] ?? category,
      sharingType: 'bulk file load by the data custodian',
      owner: g.provider,
      informationProvided: fieldsOf(g.profile, dataset),
      // Batch ids of other datasets interleave, so a range would mislead: up to five are listed.
      reference: mine.length === 1 ? `batch ${mine[0]}` : mine.length <= 5 ? `batches ${mine.join(', ')}` : `${mine.length} batches, ${mine[0]} to ${mine.at(-1)}`,
      category,
      provider: g.provider,
      direction: 'inbound',
      access: whoCanSee(decide, category, g.provider),
      retention: retentionText(policy, holdCount),
      records: Number(g.rows ?? 0) - removed,
      firstAt: g.first_at ?? null,
      lastAt: g.last_at ?? null,
    });
  }

  const lists = await scopedDb(deps.store, localOperatorScope('data-register'))
    .db.selectFrom('watchlist_versions')
    .select(['list_id', 'provider', 'publisher', 'format', 'fields'])
    .select((eb) => [
      eb.fn.countAll<number>().as('versions'),
      eb.fn.max('record_count').as('records'),
      eb.fn.min('loaded_at').as('first_at'),
      eb.fn.max('loaded_at').as('last_at'),
      eb.fn.max('version_id').as('last_version'),
      eb.fn.max('publish_date').as('last_published'),
    ])
    .groupBy(['list_id', 'provider', 'publisher', 'format', 'fields'])
    .orderBy('list_id')
    .execute();
  for (const l of lists) {
    entries.push({
      source: `${l.publisher ?? l.provider}: watch list ${l.list_id}`,
      destination: 'Parallax analytical store, tables watchlist_versions and watchlist_entries',
      fullName: `Watch list ${l.list_id} (${l.format})`,
      classification: CLASSIFICATION.watchlist,
      sharingType: 'list file load by the data custodian',
      owner: String(l.publisher ?? l.provider),
      informationProvided: ((l.fields as string[] | null) ?? []).slice().sort(),
      reference: `latest version ${l.last_version}${l.last_published ? ` published ${String(l.last_published).slice(0, 10)}` : ''} (${l.versions} version${Number(l.versions) === 1 ? '' : 's'})`,
      category: 'watchlist',
      provider: String(l.provider),
      direction: 'inbound',
      access: whoCanSee(decide, 'watchlist', String(l.provider)),
      retention: retentionText(undefined, 0),
      records: Number(l.records ?? 0),
      firstAt: l.first_at ? new Date(String(l.first_at)).toISOString() : null,
      lastAt: l.last_at ? new Date(String(l.last_at)).toISOString() : null,
    });
  }

  // Outbound: what left the system, from the accounting of disclosures (counts by nature and recipient).
  const out = await deps.control.db
    .selectFrom('disclosures')
    .select(['nature', 'recipient'])
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('row_count').as('rows'), eb.fn.min('at').as('first_at'), eb.fn.max('at').as('last_at')])
    .groupBy(['nature', 'recipient'])
    .orderBy('nature')
    .orderBy('recipient')
    .execute();
  for (const d of out) {
    entries.push({
      source: 'Parallax',
      destination: d.recipient,
      fullName: `Disclosures: ${d.nature}`,
      classification: 'As the data disclosed',
      sharingType: 'export or disclosure recorded in the disclosure ledger',
      owner: 'Parallax deployment',
      informationProvided: [d.nature],
      reference: `disclosure ledger, ${d.n} disclosure${Number(d.n) === 1 ? '' : 's'}`,
      category: 'disclosure',
      provider: '',
      direction: 'outbound',
      access: { auditor: 'row', 'security-administrator': 'row', 'master-administrator': 'row' },
      retention: 'five years after the disclosure or the life of the record, whichever is longer',
      records: Number(d.rows ?? 0),
      firstAt: d.first_at ?? null,
      lastAt: d.last_at ?? null,
    });
  }
  return { generatedAt: new Date().toISOString(), policyVersion: deps.policies.version, entries };
}

/** The register in the public inventory's column order, one line per source (the reports' CSV writer, so cells are injection-safe). */
export function registerCsv(r: DataRegister): Buffer {
  const cols: [string, (e: RegisterEntry) => string | number][] = [
    ['source', (e) => e.source],
    ['destination', (e) => e.destination],
    ['full_name', (e) => e.fullName],
    ['classification', (e) => e.classification],
    ['sharing_type', (e) => e.sharingType],
    ['owner', (e) => e.owner],
    ['information_provided', (e) => e.informationProvided.join('; ')],
    ['reference', (e) => e.reference],
    ['category', (e) => e.category],
    ['provider', (e) => e.provider],
    ['direction', (e) => e.direction],
    ['who_can_see', (e) => Object.entries(e.access).map(([role, level]) => `${role} (${level})`).join('; ')],
    ['retention', (e) => e.retention],
    ['records', (e) => e.records],
  ];
  return writeCsv({
    title: 'Data register',
    subtitle: [],
    columns: cols.map(([id]) => ({ id, label: id, kind: 'dimension' as const })),
    rows: r.entries.map((e) => cols.map(([, f]) => f(e))),
    total: null,
    notes: [],
  });
}
