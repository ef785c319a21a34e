import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { z } from 'zod';
import { writeChangeLog } from '../../lambdas/events/change-log';
import { parseCloudTrailEvent } from '../../lambdas/events/cloudtrail-event';
import {
  collectionErrorSchema,
  collectionNoteSchema,
  evidenceRecordSchema,
  evidenceResourceSchema,
  scopeSchema,
  triggerSchema,
} from '../../lambdas/evidence/record';
import { CHANGE_EVENTS_TABLE, EVIDENCE_RECORDS_TABLE, type EvidenceTable } from '../../lib/evidence-tables';
import { MemoryVersionedStore } from '../helpers/versioned-store';
import { type HiveType, parseHiveType } from './sql-structure';

/**
 * The Hive JSON SerDe matches columns to JSON keys case-insensitively and silently yields NULL for
 * a column no key matches: a misspelt column would be an empty column, not an error. These tests
 * hold every declared column and struct field to a key the app really writes.
 */

const lowerKeys = (shape: Record<string, unknown>) => Object.keys(shape).map((k) => k.toLowerCase());
const keysOf = (...schemas: z.ZodObject[]) => new Set(schemas.flatMap((schema) => lowerKeys(schema.shape)));
const fieldsOf = (type: string) => {
  const parsed = parseHiveType(type.replace(/^array<(.*)>$/, '$1'));
  return parsed.kind === 'struct' ? [...parsed.fields.keys()] : [];
};
const columnType = (table: EvidenceTable, name: string) => table.columns.find((c) => c.name === name)!.type;

describe('evidence_records columns', () => {
  it('are keys of the evidence/v1 schema; its other keys are partition keys or named as not mapped', () => {
    // Prepare
    const recordKeys = lowerKeys(evidenceRecordSchema.shape);
    const partitions = EVIDENCE_RECORDS_TABLE.partitionKeys.map((k) => k.name);
    const columns = EVIDENCE_RECORDS_TABLE.columns.map((c) => c.name);
    // Assess: collector, account and region are the key's partitions (a column may not repeat them)
    expect(columns.filter((c) => !recordKeys.includes(c))).toEqual([]);
    expect(recordKeys.filter((k) => !columns.includes(k) && !partitions.includes(k))).toEqual([]);
  });

  it.each([
    ['trigger', keysOf(...triggerSchema.options)],
    ['scope', keysOf(...scopeSchema.options)],
    ['resources', keysOf(evidenceResourceSchema)],
    ['errors', keysOf(collectionErrorSchema)],
    ['notes', keysOf(collectionNoteSchema)],
  ])('%s fields are keys of its schema', (column, keys) => {
    // Act
    const fields = fieldsOf(columnType(EVIDENCE_RECORDS_TABLE, column));
    // Assess
    expect(fields.length).toBeGreaterThan(0);
    expect(fields.filter((f) => !keys.has(f))).toEqual([]);
  });

  it('leaves out only the free-form resource configuration', () => {
    // Assess
    expect(
      [...keysOf(evidenceResourceSchema)].filter((k) => !fieldsOf(columnType(EVIDENCE_RECORDS_TABLE, 'resources')).includes(k)),
    ).toEqual(['configuration']);
  });
});

/** Every leaf path of a declared Hive type, lowercased and dotted. */
function leafPaths(prefix: string, type: HiveType): string[] {
  if (type.kind !== 'struct') return [prefix];
  return [...type.fields].flatMap(([name, field]) => leafPaths(`${prefix}.${name}`, field));
}

/** Every path present in a JSON value (null counts as present), lowercased. */
function presentPaths(prefix: string, value: unknown, into: Set<string>): Set<string> {
  into.add(prefix);
  if (value && typeof value === 'object' && !Array.isArray(value))
    for (const [key, child] of Object.entries(value)) presentPaths(`${prefix}.${key.toLowerCase()}`, child, into);
  return into;
}

describe('change_events columns', () => {
  it('name what writeChangeLog stores for the documented CloudTrail fixtures, apart from fields the fixtures leave empty', async () => {
    // Prepare: store every fixture event the way the change path does
    const store = new MemoryVersionedStore();
    const dir = join(__dirname, '..', 'fixtures', 'events');
    const present = new Set<string>();
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
      const parsed = parseCloudTrailEvent(readFileSync(join(dir, file), 'utf8'));
      if (!parsed.ok) throw new Error(`${file}: ${parsed.problem}`);
      const written = await writeChangeLog(store, parsed.event, {
        recordedAt: '2026-11-26T10:15:31.000Z',
        handling: 'recollected',
        evidence: [],
      });
      if (written.status !== 'stored') throw new Error(`${file}: not stored`);
      const stored = JSON.parse(gunzipSync((await store.get(written.stored.key))!).toString('utf8')) as Record<string, unknown>;
      for (const [key, value] of Object.entries(stored)) presentPaths(key.toLowerCase(), value, present);
    }
    // Act
    const declared = CHANGE_EVENTS_TABLE.columns.flatMap((column) => leafPaths(column.name, parseHiveType(column.type)));
    const missing = declared.filter((path) => !present.has(path));
    // Assess: these come from AWS's API references (cited in evidence-tables.ts); the fixtures
    // carry a null responseElements and no failed or service-invoked calls
    expect(missing.sort()).toEqual(
      [
        'event.detail.errorcode',
        'event.detail.errormessage',
        'event.detail.responseelements.accesskey.accesskeyid',
        'event.detail.responseelements.accesskey.status',
        'event.detail.responseelements.endpointarn',
        'event.detail.responseelements.endpointconfigarn',
        'event.detail.useridentity.invokedby',
        'event.detail.useridentity.username',
      ].sort(),
    );
  });
});
