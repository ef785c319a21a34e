import { CHANGE_LOG_PREFIX, COLLECTION_RECORDS_PREFIX, EVIDENCE_ROOT } from './layout';
import type { EvidenceStore, ListedObject } from './store';

/**
 * Date-partitioned listing over the Hive-style evidence keys
 * (evidence/v1/collector=C/account=A/region=R/date=YYYY-MM-DD/..., and the change log's
 * evidence/v1/changes/account=A/region=R/date=YYYY-MM-DD/...): readers name the days they need
 * and list only those, instead of every key the store ever received.
 */

/** Folder names directly under `prefix` (which ends in "/"); stores without folder listing derive them from their keys. */
export async function* listFolders(store: EvidenceStore, prefix: string): AsyncIterable<string> {
  if (store.listFolders) {
    yield* store.listFolders(prefix);
    return;
  }
  let last: string | undefined;
  for await (const object of store.list(prefix)) {
    const rest = object.key.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) continue;
    const name = rest.slice(0, slash);
    if (name !== last) yield name;
    last = name;
  }
}

/** One partition of time-ordered objects: a collector's records for one account and region, or one account and region of the change log. */
export interface DatedPartition {
  /** Prefix ending in "/", under which the date=YYYY-MM-DD/ folders are. */
  prefix: string;
  /** collector (absent for the change log), account and region, as the key names them. */
  collector?: string;
  account: string;
  region: string;
}

async function valuesOf(store: EvidenceStore, prefix: string, name: string): Promise<string[]> {
  const values: string[] = [];
  for await (const folder of listFolders(store, prefix)) {
    if (folder.startsWith(`${name}=`)) values.push(folder.slice(name.length + 1));
  }
  return values;
}

async function accountRegionPartitions(store: EvidenceStore, prefix: string, collector?: string): Promise<DatedPartition[]> {
  const partitions: DatedPartition[] = [];
  for (const account of await valuesOf(store, prefix, 'account')) {
    const accountPrefix = `${prefix}account=${account}/`;
    for (const region of await valuesOf(store, accountPrefix, 'region')) {
      partitions.push({ prefix: `${accountPrefix}region=${region}/`, account, region, ...(collector ? { collector } : {}) });
    }
  }
  return partitions;
}

/** Every collector/account/region partition of collection records. */
export async function listRecordPartitions(store: EvidenceStore): Promise<DatedPartition[]> {
  const partitions: DatedPartition[] = [];
  for (const collector of await valuesOf(store, EVIDENCE_ROOT, 'collector')) {
    partitions.push(...(await accountRegionPartitions(store, `${COLLECTION_RECORDS_PREFIX}${collector}/`, collector)));
  }
  return partitions;
}

/** Every account/region partition of the change log. */
export async function listChangeLogPartitions(store: EvidenceStore): Promise<DatedPartition[]> {
  return accountRegionPartitions(store, CHANGE_LOG_PREFIX);
}

/** The YYYY-MM-DD days a partition holds objects for, ascending. */
export async function listPartitionDates(store: EvidenceStore, partition: DatedPartition): Promise<string[]> {
  return (await valuesOf(store, partition.prefix, 'date')).filter((date) => /^\d{4}-\d{2}-\d{2}$/.test(date)).sort();
}

/** The objects of one day of a partition, in key (so time) order. */
export async function listPartitionDay(store: EvidenceStore, partition: DatedPartition, date: string): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  for await (const object of store.list(`${partition.prefix}date=${date}/`)) objects.push(object);
  return objects;
}
