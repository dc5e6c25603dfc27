/**
 * The scope filter as a Kysely plugin: the one plug-in point every analytical read passes.
 *
 * It rewrites the query tree (like Kysely's own plugins) so that each reference to a scoped table in a
 * FROM or JOIN becomes a filtered derived table with the same alias:
 *
 *   FROM trade_lines AS t   ->   FROM (SELECT * FROM trade_lines WHERE superseded_by IS NULL
 *                                      AND provider IN ($1, ...)) AS t
 *
 * Invariants:
 * - Fail closed: a table that is neither scoped nor reference is refused, a category without a grant is
 *   refused, writes to data tables are refused (source data is read-only), and raw SQL fragments that
 *   name a data table are refused because the plugin cannot see inside them.
 * - Children are transformed before the parent is wrapped, so the injected subquery is never rewritten
 *   again (no double wrapping, no recursion).
 * - Provider values are bound parameters.
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

class ScopeTransformer extends OperationNodeTransformer {
  constructor(
    private readonly scope: Scope,
    private readonly cteNames: ReadonlySet<string>,
  ) {
    super();
  }

  private filtered(table: string): SelectQueryNode {
    const spec = SCOPED_TABLES[table]!;
    const grant = grantFor(this.scope, spec.category);
    if (!grant) throw new ScopeDeniedError(`${spec.category} data`);
    let q = nodeBuilder.selectFrom(table).selectAll();
    if (spec.currentOnly) q = q.where('superseded_by', 'is', null);
    if (grant.providers !== '*') {
      // An empty provider list must read nothing, not everything.
      q = grant.providers.length ? q.where('provider', 'in', [...grant.providers]) : q.where((eb) => eb.lit(false));
    }
    return q.toOperationNode();
  }

  private rewriteFromItem(node: OperationNode): OperationNode {
    if (TableNode.is(node)) {
      const name = node.table.identifier.name;
      if (SCOPED_TABLES[name]) return AliasNode.create(this.filtered(name), IdentifierNode.create(name));
      if (REFERENCE_TABLES.has(name) || this.cteNames.has(name)) return node;
      throw new ScopeDeniedError(`table ${name}`);
    }
    if (AliasNode.is(node) && TableNode.is(node.node)) {
      const name = node.node.table.identifier.name;
      if (SCOPED_TABLES[name]) return AliasNode.create(this.filtered(name), node.alias);
      if (REFERENCE_TABLES.has(name) || this.cteNames.has(name)) return node;
      throw new ScopeDeniedError(`table ${name}`);
    }
    return node;
  }

  protected override transformSelectQuery(original: SelectQueryNode): SelectQueryNode {
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
      return new ScopeTransformer(scope, ctes.names).transformNode(args.node);
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return args.result;
    },
  };
}
