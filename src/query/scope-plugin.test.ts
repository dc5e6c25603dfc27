import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { scopedDb, ScopeDeniedError, type Scope } from './index.ts';
import { ingestFile } from '../ingest/index.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';

let t: TempRuntime;

const usOnly: Scope = { principal: 'officer', grants: [{ category: 'trade', providers: ['US'], level: 'row' }] };
const nothing: Scope = { principal: 'nobody', grants: [] };
const emptyProviders: Scope = { principal: 'p', grants: [{ category: 'trade', providers: [], level: 'row' }] };

beforeAll(async () => {
  t = await tempRuntime();
  const deps = { store: t.rt.store, registry: t.rt.registry };
  const opts = { profile: 'canonical', category: 'trade', loadedBy: 'test' };
  await ingestFile(deps, t.file('us.csv', `${CANONICAL_HEADER}\n${canonicalLine({ declaration_id: 'U1' })}\n${canonicalLine({ declaration_id: 'U2' })}\n`), { ...opts, provider: 'US' });
  await ingestFile(deps, t.file('mx.csv', `${CANONICAL_HEADER}\n${canonicalLine({ declaration_id: 'M1' })}\n`), { ...opts, provider: 'MX' });
  // A correction: U2 re-sent; the old row must disappear from ordinary reads.
  await ingestFile(deps, t.file('us2.csv', `${CANONICAL_HEADER}\n${canonicalLine({ declaration_id: 'U2', value: 5 })}\n`), { ...opts, provider: 'US' });
});
afterAll(async () => t.cleanup());

describe('scope plugin', () => {
  it('wraps every scoped table in a filtered derived table, keeping the alias (SQL asserted)', () => {
    const db = scopedDb(t.rt.store, usOnly).db;
    const q = db
      .selectFrom('trade_lines as t')
      .leftJoin('ref_ports as p', 'p.port_code', 't.port_code')
      .innerJoin('trade_lines as u', 'u.declaration_id', 't.declaration_id')
      .select(['t.value', 'p.field_office'])
      .where('t.hs2', '=', '72')
      .compile();
    expect(q.sql).toBe(
      'select "t"."value", "p"."field_office" from (select * from "trade_lines" where "provider" in ($1)) as "t" ' +
        'left join "ref_ports" as "p" on "p"."port_code" = "t"."port_code" ' +
        'inner join (select * from "trade_lines" where "provider" in ($2)) as "u" on "u"."declaration_id" = "t"."declaration_id" ' +
        'where "t"."hs2" = $3',
    );
    expect(q.parameters).toEqual(['US', 'US', '72']);
  });

  it('filters tables that mix categories row by row, each category with its own providers (SQL asserted)', () => {
    const officer: Scope = { principal: 'officer', grants: [{ category: 'trade', providers: ['US'], level: 'row' }, { category: 'watchlist', providers: '*', level: 'row' }] };
    const q = scopedDb(t.rt.store, officer).db.selectFrom('anomalies').select('anomaly_id').compile();
    // Findings are also filtered on their basis: every 'category:provider' they were computed from must be
    // readable (here: trade of US only, no financial or enforcement grant).
    expect(q.sql).toBe(
      'select "anomaly_id" from (select * from "anomalies" where (("category" = $1 and "provider" in ($2)) or "category" = $3) ' +
        'and len(list_filter("basis", x -> NOT (x IN ($4)))) = 0) as "anomalies"',
    );
    expect(q.parameters).toEqual(['trade', 'US', 'watchlist', 'trade:US']);
    // A scope reading every provider of every category needs no basis filter.
    const all: Scope = { principal: 'i', grants: (['trade', 'financial', 'enforcement', 'watchlist'] as const).map((category) => ({ category, providers: '*' as const, level: 'row' as const })) };
    expect(scopedDb(t.rt.store, all).db.selectFrom('anomalies').select('anomaly_id').compile().sql).toBe('select "anomaly_id" from (select * from "anomalies" where ("category" = $1 or "category" = $2 or "category" = $3 or "category" = $4)) as "anomalies"');
  });

  it('wraps a table once even when a scoped subquery builder is nested in a scoped parent', () => {
    const db = scopedDb(t.rt.store, usOnly).db;
    const inner = db.selectFrom('trade_lines as t').select('t.value');
    const q = db.selectFrom(db.selectFrom(inner.as('a')).selectAll().as('b')).selectAll().compile();
    expect(q.sql).toBe('select * from (select * from (select "t"."value" from (select * from "trade_lines" where "provider" in ($1)) as "t") as "a") as "b"');
  });

  it('filters subqueries and CTEs too, and runs', async () => {
    const db = scopedDb(t.rt.store, usOnly).db;
    const rows = await db
      .with('c', (qb) => qb.selectFrom('trade_lines').select(['declaration_id', 'value']))
      .selectFrom('c')
      .select(['declaration_id', 'value'])
      .where('declaration_id', 'in', db.selectFrom('trade_lines').select('declaration_id'))
      .orderBy('declaration_id')
      .execute();
    expect(rows).toEqual([
      { declaration_id: 'U1', value: 1000 },
      { declaration_id: 'U2', value: 5 },
    ]);
  });

  it('denies categories without a grant, unknown tables, writes and raw SQL naming data tables', async () => {
    await expect(scopedDb(t.rt.store, nothing).db.selectFrom('trade_lines').selectAll().execute()).rejects.toThrow(ScopeDeniedError);
    await expect(scopedDb(t.rt.store, usOnly).db.selectFrom('payments').selectAll().execute()).rejects.toThrow(/financial data/);
    await expect(scopedDb(t.rt.store, usOnly).db.selectFrom('batch_commits').selectAll().execute()).rejects.toThrow(/table batch_commits/);
    await expect(scopedDb(t.rt.store, usOnly).db.deleteFrom('trade_lines').execute()).rejects.toThrow(/read-only/);
    await expect(scopedDb(t.rt.store, usOnly).db.updateTable('trade_lines').set({ value: 1 }).execute()).rejects.toThrow(/read-only/);
    await expect(sql`select * from trade_lines`.execute(scopedDb(t.rt.store, usOnly).db)).rejects.toThrow(/raw SQL/);
    await expect(
      scopedDb(t.rt.store, usOnly).db.selectFrom('ref_ports').select(sql`(select count(*) from trade_lines)`.as('n')).execute(),
    ).rejects.toThrow(/raw SQL/);
  });

  it('a grant of every provider reads the table directly, corrections hidden (they live in history)', async () => {
    const all: Scope = { principal: 'a', grants: [{ category: 'trade', providers: '*', level: 'row' }] };
    const db = scopedDb(t.rt.store, all).db;
    expect(db.selectFrom('trade_lines as t').select('t.value').compile().sql).toBe('select "t"."value" from "trade_lines" as "t"');
    const rows = await db.selectFrom('trade_lines').select(['declaration_id', 'value']).orderBy('declaration_id').execute();
    expect(rows).toEqual([
      { declaration_id: 'M1', value: 1000 },
      { declaration_id: 'U1', value: 1000 },
      { declaration_id: 'U2', value: 5 },
    ]);
    const history = await db.selectFrom('trade_lines_history').select(['declaration_id', 'value']).execute();
    expect(history).toEqual([{ declaration_id: 'U2', value: 1000 }]);
  });

  it('an empty provider list reads nothing rather than everything', async () => {
    const rows = await scopedDb(t.rt.store, emptyProviders).db.selectFrom('trade_lines').selectAll().execute();
    expect(rows).toEqual([]);
  });
});
