/**
 * The scope filter as a Kysely plugin: the one plug-in point every analytical read passes.
 *
 * It rewrites the query tree (like Kysely's own plugins) so that each reference to a scoped table in a
 * FROM or JOIN becomes a filtered derived table with the same alias:
 *
 *   FROM trade_lines AS t   ->   FROM (SELECT * FROM trade_lines WHERE provider IN ($1, ...)) AS t
 *
 * Invariants:
 * - Fail closed: a table that is neither scoped nor reference is refused, a category without a grant is
 *   refused, writes to data tables are refused (source data is read-only), and raw SQL fragments that
 *   name a data table are refused because the plugin cannot see inside them.
 * - Children are transformed before the parent is wrapped, and injected filters are remembered, so a filter
 *   is never wrapped again — also when a subquery built with this plugin is embedded in a parent query that
 *   the plugin transforms once more.
 * - Provider values are bound parameters.
 * - Derived findings (a table with a basis column) are readable only when every 'category:provider' they were
 *   computed from is readable at row level: a statistic over rows outside the scope is not shown at all.
 *   A finding without a recorded basis is shown only to a scope that reads every provider of every category.
 */
import {
  AliasNode,
  DummyDriver,
  IdentifierNode,
  Kysely,
  OperationNodeTransformer,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  TableNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RawNode,
  type RootOperationNode,
  type SelectQueryNode,
  type UnknownRow,
  type JoinNode,
  type CommonTableExpressionNameNode,
} from 'kysely';
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { grantFor, ScopeDeniedError, type Scope } from './scope.ts';
import { REFERENCE_TABLES, SCOPED_TABLES } from './scoped-tables.ts';

/** A compile-only Kysely used to build the filtered subqueries as operation nodes. */
const nodeBuilder = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const DATA_TABLE_NAMES = Object.keys(SCOPED_TABLES);

/** Collects the names a query defines with WITH, so references to them are not mistaken for tables. */
class CteNameCollector extends OperationNodeTransformer {
  readonly names = new Set<string>();
  protected override transformCommonTableExpressionName(node: CommonTableExpressionNameNode): CommonTableExpressionNameNode {
    this.names.add(node.table.table.identifier.name);
    return super.transformCommonTableExpressionName(node);
  }
}

/** Data categories whose rows carry a provider: the ones a finding's basis names. */
const BASIS_CATEGORIES = ['trade', 'financial', 'enforcement'] as const;

/**
 * Every entry of the basis column is readable at row level: an exact 'category:provider' the scope grants, or
 * any provider of a category granted for all. Null when the scope reads every provider of every category.
 */
function basisFilter(scope: Scope, column: string): RawBuilder<SqlBool> | null {
  const grants = BASIS_CATEGORIES.map((c) => scope.grants.find((g) => g.category === c && g.level === 'row'));
  if (grants.every((g) => g?.providers === '*')) return null;
  const whole = grants.filter((g) => g?.providers === '*').map((g) => sql`starts_with(x, ${`${g!.category}:`})`);
  const pairs = grants.flatMap((g) => (g && g.providers !== '*' ? g.providers.map((p) => `${g.category}:${p}`) : []));
  const allowed = [...whole, ...(pairs.length ? [sql`x IN (${sql.join(pairs)})`] : [])];
  if (!allowed.length) return sql<SqlBool>`false`;
  return sql<SqlBool>`len(list_filter(${sql.ref(column)}, x -> NOT (${sql.join(allowed, sql` OR `)}))) = 0`;
}

class ScopeTransformer extends OperationNodeTransformer {
  constructor(
    private readonly scope: Scope,
    private readonly cteNames: ReadonlySet<string>,
    /** Filters this plugin injected; a subquery builder is transformed once alone and again inside its parent. */
    private readonly injected: WeakSet<SelectQueryNode>,
  ) {
    super();
  }

  /** The filtered derived table for a scoped table, or null when the grant covers every provider. */
  private filtered(table: string): SelectQueryNode | null {
    const spec = SCOPED_TABLES[table]!;
    const grant = grantFor(this.scope, spec.category);
    if (!grant) throw new ScopeDeniedError(`${spec.category} data`);
    const q = nodeBuilder.selectFrom(table).selectAll();
    let node: SelectQueryNode;
    if (spec.rowCategoryColumn) {
      // Each row is readable under its own category's grant: OR over the categories in scope, each with its
      // providers. Categories outside the scope contribute no branch, so their rows are never read.
      const col = spec.rowCategoryColumn;
      const grants = this.scope.grants;
      let filteredQ = q.where((eb) =>
        eb.or(
          grants.map((g) =>
            g.providers === '*'
              ? eb(col, '=', g.category)
              : g.providers.length
                ? eb.and([eb(col, '=', g.category), eb('provider', 'in', [...g.providers])])
                : eb.lit(false),
          ),
        ),
      );
      const basis = spec.basisColumn ? basisFilter(this.scope, spec.basisColumn) : null;
      if (basis) filteredQ = filteredQ.where(basis);
      node = filteredQ.toOperationNode();
    } else {
      // A grant of every provider filters nothing: the table is read as it is.
      if (grant.providers === '*') return null;
      // An empty provider list must read nothing, not everything.
      node = (grant.providers.length ? q.where('provider', 'in', [...grant.providers]) : q.where((eb) => eb.lit(false))).toOperationNode();
    }
    this.injected.add(node);
    return node;
  }

  private rewriteFromItem(node: OperationNode): OperationNode {
    const table = TableNode.is(node) ? node : AliasNode.is(node) && TableNode.is(node.node) ? node.node : null;
    if (!table) return node;
    const name = table.table.identifier.name;
    if (SCOPED_TABLES[name]) {
      const f = this.filtered(name);
      if (!f) return node;
      return AliasNode.create(f, AliasNode.is(node) ? node.alias : IdentifierNode.create(name));
    }
    if (REFERENCE_TABLES.has(name) || this.cteNames.has(name)) return node;
    throw new ScopeDeniedError(`table ${name}`);
  }

  protected override transformSelectQuery(original: SelectQueryNode): SelectQueryNode {
    if (this.injected.has(original)) return original;
    const node = super.transformSelectQuery(original);
    const from = node.from ? { ...node.from, froms: node.from.froms.map((f) => this.rewriteFromItem(f)) } : undefined;
    const joins = node.joins?.map((j): JoinNode => ({ ...j, table: this.rewriteFromItem(j.table) }));
    return { ...node, ...(from ? { from } : {}), ...(joins ? { joins } : {}) };
  }

  protected override transformRaw(node: RawNode): RawNode {
    const text = node.sqlFragments.join(' ').toLowerCase();
    for (const t of DATA_TABLE_NAMES) {
      if (new RegExp(`\\b${t}\\b`).test(text)) throw new ScopeDeniedError(`raw SQL naming ${t}`);
    }
    return super.transformRaw(node);
  }
}

export function scopePlugin(scope: Scope): KyselyPlugin {
  const injected = new WeakSet<SelectQueryNode>();
  return {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      const kind = args.node.kind;
      if (kind !== 'SelectQueryNode' && kind !== 'RawNode') {
        throw new ScopeDeniedError('changing loaded data (source data is read-only)');
      }
      const ctes = new CteNameCollector();
      ctes.transformNode(args.node);
      for (const n of ctes.names) {
        // A CTE named like a data table would shadow it inside the injected filter.
        if (SCOPED_TABLES[n] || REFERENCE_TABLES.has(n)) throw new ScopeDeniedError(`a WITH name that shadows table ${n}`);
      }
      return new ScopeTransformer(scope, ctes.names, injected).transformNode(args.node);
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return args.result;
    },
  };
}
