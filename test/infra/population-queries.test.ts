import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EVIDENCE_TABLES } from '../../lib/evidence-tables';
import { POPULATION_QUERIES, type PopulationQuery } from '../../lib/population-queries';
import {
  type HiveType,
  identifierPaths,
  parenthesesBalance,
  parseHiveType,
  type Token,
  tokenize,
  unresolvedSegment,
} from './sql-structure';

/**
 * No Athena or Glue emulator exists here (moto stores table definitions and answers
 * StartQueryExecution without running the SQL), so these tests check structure only: every name a
 * query uses is declared in the tables it reads. Whether Athena plans and answers the queries as
 * intended is not verified.
 */

const KEYWORDS = new Set([
  'select',
  'from',
  'where',
  'and',
  'or',
  'as',
  'order',
  'by',
  'in',
  'is',
  'null',
  'not',
  'between',
  'cross',
  'join',
]);
/** Trino functions the queries call (https://trino.io/docs/current/functions.html). */
const FUNCTIONS = new Set(['coalesce', 'date_format', 'date_add', 'date', 'cardinality', 'unnest']);
/** Athena's pseudo-column naming the S3 object a row came from. */
const PSEUDO_COLUMNS = new Set(['$path']);
const EVENT_FIXTURES = join(__dirname, '..', 'fixtures', 'events');

const tableByName = new Map<string, (typeof EVIDENCE_TABLES)[number]>(EVIDENCE_TABLES.map((t) => [t.name, t]));

function columnsOf(tableNames: readonly string[]): Map<string, HiveType> {
  const scope = new Map<string, HiveType>();
  for (const name of tableNames) {
    const table = tableByName.get(name)!;
    for (const column of table.columns) scope.set(column.name, parseHiveType(column.type));
    for (const key of table.partitionKeys) scope.set(key.name, { kind: 'scalar', name: 'string' });
  }
  return scope;
}

const wordAt = (tokens: Token[], index: number) =>
  tokens[index]?.kind === 'word' ? tokens[index]!.text.toLowerCase() : undefined;

/** Tables after FROM and JOIN (UNNEST is not a table). */
function tablesRead(tokens: Token[]): string[] {
  return tokens.flatMap((_token, i) => {
    const word = wordAt(tokens, i);
    if (word !== 'from' && word !== 'join') return [];
    const next = wordAt(tokens, i + 1);
    return next && next !== 'unnest' ? [next] : [];
  });
}

/**
 * Names the query defines: output aliases (`... AS event_time`) and UNNEST column aliases, the
 * latter typed from the unnested array's struct fields, whose count they must match.
 */
function definedNames(tokens: Token[], scope: Map<string, HiveType>): { names: Map<string, HiveType>; problems: string[] } {
  const names = new Map<string, HiveType>();
  const problems: string[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    if (wordAt(tokens, i) !== 'as') continue;
    const alias = wordAt(tokens, i + 1);
    if (!alias) continue;
    if (tokens[i + 2]?.text !== '(') {
      names.set(alias, { kind: 'scalar', name: 'alias' });
      continue;
    }
    // UNNEST(array_column) AS alias(field, ...): find the unnested column before AS
    const unnested = wordAt(tokens, i - 2);
    const arrayType = unnested ? scope.get(unnested) : undefined;
    const element = arrayType?.kind === 'other' ? /^array<(struct<.*>)>$/.exec(arrayType.text)?.[1] : undefined;
    const fields = element ? parseHiveType(element) : undefined;
    const columns: string[] = [];
    for (let j = i + 3; tokens[j] && tokens[j]!.text !== ')'; j += 1)
      if (tokens[j]!.kind === 'word') columns.push(tokens[j]!.text);
    if (fields?.kind !== 'struct') problems.push(`UNNEST alias ${alias} is not over an array of structs`);
    else if (fields.fields.size !== columns.length)
      problems.push(`UNNEST alias ${alias} names ${columns.length} columns, the struct has ${fields.fields.size}`);
    else for (const [index, type] of [...fields.fields.values()].entries()) names.set(columns[index]!.toLowerCase(), type);
    names.set(alias, { kind: 'scalar', name: 'alias' });
  }
  return { names, problems };
}

/** Everything structurally wrong with one query; empty when every name resolves. */
function problemsOf(query: PopulationQuery): string[] {
  const tokens = tokenize(query.sql);
  const problems: string[] = [];
  if (!parenthesesBalance(tokens)) problems.push('unbalanced parentheses');
  const read = tablesRead(tokens);
  for (const table of read) if (!tableByName.has(table)) problems.push(`reads undeclared table ${table}`);
  if ([...new Set(read)].sort().join() !== [...query.tables].sort().join())
    problems.push(`reads ${read.join(', ')}, declares ${query.tables.join(', ')}`);
  const parameters = tokens.filter((t) => t.kind === 'symbol' && t.text === '?').length;
  if (parameters !== query.parameters.length) problems.push(`${parameters} ? parameters, ${query.parameters.length} declared`);
  for (const token of tokens) {
    if (token.kind === 'quoted' && !PSEUDO_COLUMNS.has(token.text)) problems.push(`quoted identifier "${token.text}"`);
  }

  const columns = columnsOf(query.tables.filter((t) => tableByName.has(t)));
  const { names, problems: aliasProblems } = definedNames(tokens, columns);
  problems.push(...aliasProblems);
  const scope = new Map([...columns, ...names]);
  for (const { path, at } of identifierPaths(tokens)) {
    const head = path[0]!;
    const previous = wordAt(tokens, at - 1);
    if (previous === 'as' || tableByName.has(head)) continue;
    if (path.length === 1 && KEYWORDS.has(head)) continue;
    if (tokens[at + 1]?.text === '(' && path.length === 1) {
      if (!FUNCTIONS.has(head)) problems.push(`unknown function ${head}`);
      continue;
    }
    const unresolved = unresolvedSegment(path, scope);
    if (unresolved) problems.push(`unknown column ${unresolved}`);
  }
  return problems;
}

describe('population named queries (structure only: no Athena here)', () => {
  it('ship the four populations auditors sample, each with unique names', () => {
    // Assess
    expect(POPULATION_QUERIES.map((q) => q.name)).toEqual([
      'change-events',
      'new-credentials',
      'model-deployments',
      'resource-observations',
    ]);
  });

  it.each(POPULATION_QUERIES.map((q) => [q.name, q] as const))('%s uses only declared tables, columns and fields', (_, query) => {
    // Act
    const problems = problemsOf(query);
    // Assess
    expect(problems).toEqual([]);
  });

  it.each(POPULATION_QUERIES.map((q) => [q.name, q] as const))(
    '%s filters on the window partitions and cites its object',
    (_, query) => {
      // Prepare
      const table = tableByName.get(query.tables[0]!)!;
      const datePartition = table.partitionKeys.at(-1)!.name;
      // Act
      const where = query.sql.slice(query.sql.indexOf('WHERE'));
      // Assess: the first ? bounds the date partition, so Athena reads only the window's days
      expect(where).toMatch(new RegExp(`^WHERE ${datePartition} (>= \\?|BETWEEN \\? AND \\?)`));
      expect(query.sql).toContain('"$path" AS evidence_object');
      expect(query.parameters[0]).toBe('from');
    },
  );

  it('names only CloudTrail events that have a documented fixture', () => {
    // Act: event names are the capitalised string literals
    const eventNames = POPULATION_QUERIES.flatMap((q) =>
      tokenize(q.sql).flatMap((t) => (t.kind === 'string' && /^[A-Z][A-Za-z]+$/.test(t.text) ? [t.text] : [])),
    );
    // Assess
    expect(eventNames.sort()).toEqual(
      ['CreateAccessKey', 'CreateEndpoint', 'CreateEndpointConfig', 'CreateLoginProfile', 'CreateUser', 'UpdateEndpoint'].sort(),
    );
    expect(eventNames.filter((name) => !existsSync(join(EVENT_FIXTURES, `${name}.json`)))).toEqual([]);
  });
});

describe('the structural checker itself', () => {
  const base: PopulationQuery = {
    name: 'probe',
    description: 'probe',
    parameters: ['from', 'to'],
    tables: ['change_events'],
    sql: `SELECT event.detail.eventname AS event_name FROM change_events WHERE recorded_date BETWEEN ? AND ?`,
  };

  it('accepts a query whose names all resolve', () => {
    // Assess
    expect(problemsOf(base)).toEqual([]);
  });

  it.each([
    ['a misspelt struct field', base.sql.replace('eventname', 'event_name'), 'unknown column event.detail.event_name'],
    [
      'an undeclared table',
      base.sql.replace('FROM change_events', 'FROM cloudtrail_logs'),
      'reads undeclared table cloudtrail_logs',
    ],
    ['a column of another table', base.sql.replace('recorded_date', 'collected_date'), 'unknown column collected_date'],
    ['a missing parameter', base.sql.replace('AND ?', "AND '2026-01-31'"), '1 ? parameters, 2 declared'],
    [
      'an unknown function',
      base.sql.replace('event.detail.eventname', 'lower(event.detail.eventname)'),
      'unknown function lower',
    ],
    ['a field below a scalar', base.sql.replace('eventname', 'eventname.x'), 'unknown column event.detail.eventname.x'],
    ['an unbalanced parenthesis', base.sql.replace('SELECT ', 'SELECT ('), 'unbalanced parentheses'],
  ])('reports %s', (_, sql, problem) => {
    // Act
    const problems = problemsOf({ ...base, sql });
    // Assess
    expect(problems).toContain(problem);
  });

  it('reports an UNNEST alias list that does not match the struct', () => {
    // Prepare
    const sql = `SELECT a FROM evidence_records CROSS JOIN UNNEST(resources) AS r(a, b) WHERE collected_date BETWEEN ? AND ?`;
    // Act
    const problems = problemsOf({ ...base, tables: ['evidence_records'], sql });
    // Assess
    expect(problems).toContain('UNNEST alias r names 2 columns, the struct has 4');
  });
});
