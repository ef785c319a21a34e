import type { CollectionLog } from './collection-log';

/**
 * The largest page each listing API accepts, passed as the paginator's `pageSize` (or the
 * input field for hand-rolled loops). The service defaults (10 for SageMaker List*, 100 for
 * IAM and KMS) multiply listing calls, and so throttling and run time, on big accounts.
 * KMS ListResourceTags is capped at 50 by the service although its model allows 1000.
 */
export const MAX_PAGE_SIZE = {
  iam: 1000,
  kms: 1000,
  kmsResourceTags: 50,
  sageMaker: 100,
  cloudWatchAlarms: 100,
  applicationAutoScaling: 50,
  s3Buckets: 1000,
} as const;

/**
 * Drains a paginator through the log: every item of every page, or undefined (and a recorded
 * error) when any page failed, so a half-read listing is never taken for the whole.
 */
export async function collectPages<Page, Item>(
  log: CollectionLog,
  api: string,
  resource: string | undefined,
  pages: () => AsyncIterable<Page>,
  items: (page: Page) => Item[] | undefined,
  absentCodes: readonly string[] = [],
): Promise<Item[] | undefined> {
  const outcome = await log.call(
    api,
    resource,
    async () => {
      const all: Item[] = [];
      for await (const page of pages()) all.push(...(items(page) ?? []));
      return all;
    },
    absentCodes,
  );
  return outcome.status === 'ok' ? outcome.value : undefined;
}

/** Parses a policy document that IAM may return URL-encoded; undefined when it is not JSON. */
export function parsePolicyDocument(text: string | undefined): unknown {
  if (!text) return undefined;
  for (const candidate of [safeDecode(text), text]) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export const iso = (date: Date | undefined): string | undefined => date?.toISOString();
