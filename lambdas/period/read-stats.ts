import type { EvidenceStore, ListedObject } from '../evidence/store';
import type { ReadStats } from './types';

/**
 * The store as the reconstruction sees it, counting what it costs: one LIST call per listing
 * started (a listing of more than 1,000 keys is several S3 requests; local stores have no
 * pages), every object read and its bytes.
 */
export function countingStore(store: EvidenceStore): { store: EvidenceStore; stats: ReadStats } {
  const stats: ReadStats = { listCalls: 0, objectsRead: 0, bytesRead: 0 };
  const list = (prefix: string): AsyncIterable<ListedObject> => {
    stats.listCalls += 1;
    return store.list(prefix);
  };
  const counted: EvidenceStore = {
    location: store.location,
    put: (key, body, options) => store.put(key, body, options),
    get: async (key) => {
      const bytes = await store.get(key);
      stats.objectsRead += 1;
      stats.bytesRead += bytes?.byteLength ?? 0;
      return bytes;
    },
    list,
    ...(store.listFolders
      ? {
          listFolders: (prefix: string) => {
            stats.listCalls += 1;
            return store.listFolders!(prefix);
          },
        }
      : {}),
  };
  return { store: counted, stats };
}
