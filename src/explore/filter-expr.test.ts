import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseFilter, FilterSyntaxError, type FilterNode } from './filter-expr.ts';

function print(n: FilterNode): string {
  const q = (v: string) => `'${v.replaceAll("'", "''")}'`;
  switch (n.kind) {
    case 'and':
    case 'or':
      return `(${n.items.map(print).join(` ${n.kind} `)})`;
    case 'not':
      return `not ${print(n.item)}`;
    case 'cmp':
      return `${n.field} ${n.op} ${q(n.value)}`;
    case 'in':
      return `${n.field} ${n.negate ? 'not in' : 'in'} (${n.values.map(q).join(', ')})`;
    case 'like':
      return `${n.field} ${n.negate ? 'not like' : 'like'} ${q(n.pattern)}`;
    case 'null':
      return `${n.field} is ${n.negate ? 'not ' : ''}null`;
  }
}

const field = fc.constantFrom('origin', 'value', 'hs2', 'year', 'importer');
const value = fc.string({ maxLength: 12 });
const leaf: fc.Arbitrary<FilterNode> = fc.oneof(
  fc.record({ kind: fc.constant('cmp' as const), field, op: fc.constantFrom('=', '!=', '<', '<=', '>', '>=' as const), value }),
  fc.record({ kind: fc.constant('in' as const), field, values: fc.array(value, { minLength: 1, maxLength: 4 }), negate: fc.boolean() }),
  fc.record({ kind: fc.constant('like' as const), field, pattern: value, negate: fc.boolean() }),
  fc.record({ kind: fc.constant('null' as const), field, negate: fc.boolean() }),
);
const tree = fc.letrec<{ node: FilterNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), items: fc.array(tie('node'), { minLength: 2, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('not' as const), item: tie('node') }),
  ),
})).node;

describe('where-expression parser', () => {
  it('parses what it prints (property)', () => {
    fc.assert(
      fc.property(tree, (n) => {
        // Printing parenthesises every group, so compare printed forms rather than trees.
        const once = parseFilter(print(n))!;
        expect(print(parseFilter(print(once))!)).toBe(print(once));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but a FilterSyntaxError on arbitrary text (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        try {
          parseFilter(s);
        } catch (e) {
          expect(e).toBeInstanceOf(FilterSyntaxError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('explains errors by position without echoing the input', () => {
    expect(() => parseFilter('origin = ')).toThrow(/position 10: expected a value/);
    // Country codes that are also words of the language (India, Iceland) are values where a value belongs.
    expect(parseFilter('origin = IN')).toEqual({ kind: 'cmp', field: 'origin', op: '=', value: 'IN' });
    expect(parseFilter('origin in (IN, IS) and partner is not null')).toEqual({
      kind: 'and',
      items: [{ kind: 'in', field: 'origin', values: ['IN', 'IS'], negate: false }, { kind: 'null', field: 'partner', negate: true }],
    });
    expect(() => parseFilter("importer = 'ACME")).toThrow(/expected a closing '/);
    expect(() => parseFilter('origin in CN')).toThrow(/expected \( after in/);
    expect(() => parseFilter('(((((((((((((((((((((((((((((((((origin = 1)))))))))))))))))))))))))))))))))')).toThrow(/fewer nested/);
    try {
      parseFilter('secretvalue ~ 1');
    } catch (e) {
      expect((e as Error).message).not.toContain('secretvalue');
    }
  });

  it('reads the documented forms', () => {
    expect(parseFilter("origin in (CN, 'VN') and not value < 10 or hs2 is not null")).toEqual({
      kind: 'or',
      items: [
        { kind: 'and', items: [{ kind: 'in', field: 'origin', values: ['CN', 'VN'], negate: false }, { kind: 'not', item: { kind: 'cmp', field: 'value', op: '<', value: '10' } }] },
        { kind: 'null', field: 'hs2', negate: true },
      ],
    });
    expect(parseFilter('date >= 2024-01-01')).toEqual({ kind: 'cmp', field: 'date', op: '>=', value: '2024-01-01' });
    expect(parseFilter('  ')).toBeNull();
  });
});
