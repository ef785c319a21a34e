import { decodeEvidence, EvidenceDecodeError, parseEvidenceKey } from './evidence-io';
import { COLLECTION_RECORDS_PREFIX } from './layout';
import { type DatedPartition, listPartitionDates, listPartitionDay } from './partitions';
import type { EvidenceRecord } from './record';
import type { EvidenceStore } from './store';

/**
 * The newest full-scope record of one collector, account and region, or undefined when there is
 * none: its days are read newest first, one listed at a time, and unreadable records are passed over.
 */
export async function readLatestFullRecord(
  store: EvidenceStore,
  collector: string,
  account: string,
  region: string,
): Promise<EvidenceRecord | undefined> {
  const partition: DatedPartition = {
    prefix: `${COLLECTION_RECORDS_PREFIX}${collector}/account=${account}/region=${region}/`,
    collector,
    account,
    region,
  };
  for (const date of (await listPartitionDates(store, partition)).reverse()) {
    const keys = (await listPartitionDay(store, partition, date))
      .map((object) => object.key)
      .filter((key) => parseEvidenceKey(key));
    for (const key of keys.reverse()) {
      const bytes = await store.get(key);
      if (!bytes) continue;
      try {
        const record = decodeEvidence(bytes);
        if (record.scope.type === 'all') return record;
      } catch (err) {
        if (!(err instanceof EvidenceDecodeError)) throw err;
      }
    }
  }
  return undefined;
}
