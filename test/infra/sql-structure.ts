/**
 * A structural reading of the named queries, for tests: there is no Athena here, so this checks
 * what can be checked without one (tokens, balanced parentheses, parameters, and that every
 * identifier path resolves to a declared table, column, struct field or alias). It is not a SQL
 * parser and proves nothing about how Athena plans or answers a query.
 */

export type HiveType =
  | { kind: 'scalar'; name: string }
  | { kind: 'struct'; fields: Map<string, HiveType> }
  | { kind: 'other'; text: string };

/** Parses a Glue/Hive type string; struct fields are indexed by name, arrays and maps kept opaque. */
export function parseHiveType(text: string): HiveType {
  let position = 0;
  const parse = (): HiveType => {
    const name = /^[a-z]+/.exec(text.slice(position))?.[0];
    if (!name) throw new Error(`type expected at ${position} in ${text}`);
    position += name.length;
    if (text[position] !== '<') return { kind: 'scalar', name };
    position += 1;
    if (name === 'struct') {
      const fields = new Map<string, HiveType>();
      while (text[position] !== '>') {
        const field = /^([a-z_][a-z0-9_]*):/.exec(text.slice(position));
        if (!field) throw new Error(`field expected at ${position} in ${text}`);
        position += field[0].length;
        if (fields.has(field[1]!)) throw new Error(`duplicate field ${field[1]} in ${text}`);
        fields.set(field[1]!, parse());
        if (text[position] === ',') position += 1;
      }
      position += 1;
      return { kind: 'struct', fields };
    }
    const start = position - name.length - 1;
    parse();
    if (text[position] === ',') {
      position += 1;
      parse();
    }
    if (text[position] !== '>') throw new Error(`> expected at ${position} in ${text}`);
    position += 1;
    return { kind: 'other', text: text.slice(start, position) };
  };
  const type = parse();
  if (position !== text.length) throw new Error(`trailing text at ${position} in ${text}`);
  return type;
}

export type Token =
  | { kind: 'word'; text: string }
  | { kind: 'quoted'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'symbol'; text: string };

/** SQL tokens: words, "quoted identifiers", 'strings' ('' escapes a quote), numbers and symbols. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s+|([A-Za-z_][A-Za-z0-9_]*)|"((?:[^"]|"")*)"|'((?:[^']|'')*)'|(\d+)|(<=|>=|<>|!=|\|\||[(),.?=<>*+\-/%])/y;
  while (pattern.lastIndex < sql.length) {
    const at = pattern.lastIndex;
    const match = pattern.exec(sql);
    if (!match) throw new Error(`unexpected character at ${at}: ${sql.slice(at, at + 20)}`);
    if (match[1] !== undefined) tokens.push({ kind: 'word', text: match[1] });
    else if (match[2] !== undefined) tokens.push({ kind: 'quoted', text: match[2] });
    else if (match[3] !== undefined) tokens.push({ kind: 'string', text: match[3] });
    else if (match[4] !== undefined) tokens.push({ kind: 'number', text: match[4] });
    else if (match[5] !== undefined) tokens.push({ kind: 'symbol', text: match[5] });
  }
  return tokens;
}

/** Parentheses close in order and never go below zero. */
export function parenthesesBalance(tokens: Token[]): boolean {
  let depth = 0;
  for (const token of tokens) {
    if (token.kind !== 'symbol') continue;
    if (token.text === '(') depth += 1;
    if (token.text === ')') depth -= 1;
    if (depth < 0) return false;
  }
  return depth === 0;
}

/** Dotted identifier paths (`event.detail.eventname`), each with the token index where it starts. */
export function identifierPaths(tokens: Token[]): { path: string[]; at: number }[] {
  const paths: { path: string[]; at: number }[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    if (token.kind !== 'word') continue;
    const previous = tokens[i - 1];
    if (previous?.kind === 'symbol' && previous.text === '.') continue;
    const path = [token.text.toLowerCase()];
    let next = i + 1;
    while (tokens[next]?.text === '.' && tokens[next + 1]?.kind === 'word') {
      path.push(tokens[next + 1]!.text.toLowerCase());
      next += 2;
    }
    paths.push({ path, at: i });
  }
  return paths;
}

/** Resolves `path` against named types; returns the first segment that does not resolve, if any. */
export function unresolvedSegment(path: string[], scope: Map<string, HiveType>): string | undefined {
  let fields = scope;
  for (const [index, segment] of path.entries()) {
    const type = fields.get(segment);
    if (!type) return path.slice(0, index + 1).join('.');
    if (index === path.length - 1) return undefined;
    if (type.kind !== 'struct') return path.slice(0, index + 2).join('.');
    fields = type.fields;
  }
  return undefined;
}
