/**
 * The `--where` language: a small, safe filter grammar over catalogue fields.
 *
 *   expr   := or
 *   or     := and ('or' and)*
 *   and    := unary ('and' unary)*
 *   unary  := 'not' unary | '(' expr ')' | test
 *   test   := field op value | field ['not'] 'in' '(' value (',' value)* ')'
 *           | field ['not'] 'like' value | field 'is' ['not'] 'null'
 *   op     := = | == | != | <> | < | <= | > | >=
 *   value  := 'quoted' | "quoted" | number | bare-word (CN, 2024-03-01, 8471)
 *
 * Invariants: parsing is pure; fields resolve to catalogue entries (never to user-written SQL); values are
 * bound parameters; errors give the position and say what was expected, without echoing values back.
 */

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type FilterNode =
  | { kind: 'and' | 'or'; items: FilterNode[] }
  | { kind: 'not'; item: FilterNode }
  | { kind: 'cmp'; field: string; op: CompareOp; value: string }
  | { kind: 'in'; field: string; values: string[]; negate: boolean }
  | { kind: 'like'; field: string; pattern: string; negate: boolean }
  | { kind: 'null'; field: string; negate: boolean };

export class FilterSyntaxError extends Error {
  constructor(
    readonly position: number,
    readonly expected: string,
  ) {
    super(`where: at position ${position + 1}: expected ${expected}`);
    this.name = 'FilterSyntaxError';
  }
}

interface Token {
  kind: 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'comma' | 'end';
  text: string;
  pos: number;
}

const MAX_FILTER_LENGTH = 4000;

function tokenize(src: string): Token[] {
  if (src.length > MAX_FILTER_LENGTH) throw new FilterSyntaxError(MAX_FILTER_LENGTH, `a filter shorter than ${MAX_FILTER_LENGTH} characters`);
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      out.push({ kind: ch === '(' ? 'lparen' : ch === ')' ? 'rparen' : 'comma', text: ch, pos: i });
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= src.length) throw new FilterSyntaxError(i, `a closing ${ch}`);
        if (src[j] === ch) {
          if (src[j + 1] === ch) {
            text += ch;
            j += 2;
            continue;
          }
          break;
        }
        text += src[j];
        j++;
      }
      out.push({ kind: 'string', text, pos: i });
      i = j + 1;
      continue;
    }
    const op = /^(==|!=|<>|<=|>=|=|<|>)/.exec(src.slice(i));
    if (op) {
      out.push({ kind: 'op', text: op[1]!, pos: i });
      i += op[1]!.length;
      continue;
    }
    const word = /^[A-Za-z0-9_.:+\-/]+/.exec(src.slice(i));
    if (word) {
      out.push({ kind: 'word', text: word[0], pos: i });
      i += word[0].length;
      continue;
    }
    throw new FilterSyntaxError(i, 'a field, operator, value or parenthesis');
  }
  out.push({ kind: 'end', text: '', pos: src.length });
  return out;
}

export function parseFilter(src: string): FilterNode | null {
  if (!src.trim()) return null;
  const toks = tokenize(src);
  let k = 0;
  const peek = () => toks[k]!;
  const isKw = (t: Token, kw: string) => t.kind === 'word' && t.text.toLowerCase() === kw;
  const next = () => toks[k++]!;

  const value = (): string => {
    const t = next();
    // `in` and `is` are also ISO country codes (India, Iceland) and a value position can hold nothing else,
    // so they are values there; words that join or negate tests are not.
    if (t.kind === 'string' || (t.kind === 'word' && !['and', 'or', 'not', 'like', 'null'].includes(t.text.toLowerCase()))) return t.text;
    throw new FilterSyntaxError(t.pos, 'a value');
  };

  const test = (): FilterNode => {
    const f = next();
    if (f.kind !== 'word' || !/^[a-z_][a-z0-9_]*$/i.test(f.text)) throw new FilterSyntaxError(f.pos, 'a field name');
    const field = f.text.toLowerCase();
    let t = peek();
    if (t.kind === 'op') {
      next();
      const op = (t.text === '==' ? '=' : t.text === '<>' ? '!=' : t.text) as CompareOp;
      return { kind: 'cmp', field, op, value: value() };
    }
    let negate = false;
    if (isKw(t, 'is')) {
      next();
      if (isKw(peek(), 'not')) {
        next();
        negate = true;
      }
      const n = next();
      if (!isKw(n, 'null')) throw new FilterSyntaxError(n.pos, 'null');
      return { kind: 'null', field, negate };
    }
    if (isKw(t, 'not')) {
      next();
      negate = true;
      t = peek();
    }
    if (isKw(t, 'in')) {
      next();
      const lp = next();
      if (lp.kind !== 'lparen') throw new FilterSyntaxError(lp.pos, '( after in');
      const values = [value()];
      while (peek().kind === 'comma') {
        next();
        values.push(value());
      }
      const rp = next();
      if (rp.kind !== 'rparen') throw new FilterSyntaxError(rp.pos, ', or )');
      return { kind: 'in', field, values, negate };
    }
    if (isKw(t, 'like')) {
      next();
      return { kind: 'like', field, pattern: value(), negate };
    }
    throw new FilterSyntaxError(t.pos, 'an operator (=, !=, <, <=, >, >=, in, like, is null)');
  };

  let depth = 0;
  const unary = (): FilterNode => {
    const t = peek();
    if (isKw(t, 'not')) {
      next();
      return { kind: 'not', item: unary() };
    }
    if (t.kind === 'lparen') {
      if (++depth > 32) throw new FilterSyntaxError(t.pos, 'fewer nested parentheses');
      next();
      const e = or();
      const rp = next();
      if (rp.kind !== 'rparen') throw new FilterSyntaxError(rp.pos, ')');
      depth--;
      return e;
    }
    return test();
  };
  const and = (): FilterNode => {
    const items = [unary()];
    while (isKw(peek(), 'and')) {
      next();
      items.push(unary());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  };
  const or = (): FilterNode => {
    const items = [and()];
    while (isKw(peek(), 'or')) {
      next();
      items.push(and());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  };
  const e = or();
  const end = peek();
  if (end.kind !== 'end') throw new FilterSyntaxError(end.pos, 'and, or, or the end of the filter');
  return e;
}

/** Every field a filter names, for scope checks and join planning. */
export function filterFields(n: FilterNode | null): string[] {
  if (!n) return [];
  switch (n.kind) {
    case 'and':
    case 'or':
      return n.items.flatMap(filterFields);
    case 'not':
      return filterFields(n.item);
    default:
      return [n.field];
  }
}
