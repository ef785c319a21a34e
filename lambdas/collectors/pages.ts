import type { CollectionLog } from './collection-log';

/**
 * Drains a paginator of one resource's attributes (a user's policies, a key's tags) through the
 * log: every item of every page, or undefined (and a recorded error) when any page failed, so a
 * half-read attribute is never taken for the whole.
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

/**
 * Drains a region- or account-wide listing (the population checks judge) and keeps every item of
 * the pages it read, even when a later page failed: the failure is recorded without a resource,
 * so every check over the population reports ERROR naming the call, besides judging the
 * resources that were seen. `complete` is false after such a failure.
 */
export async function collectListing<Page, Item>(
  log: CollectionLog,
  api: string,
  pages: () => AsyncIterable<Page>,
  items: (page: Page) => Item[] | undefined,
): Promise<{ items: Item[]; complete: boolean }> {
  const all: Item[] = [];
  const outcome = await log.call(api, undefined, async () => {
    for await (const page of pages()) all.push(...(items(page) ?? []));
  });
  if (outcome.status !== 'ok' && all.length > 0) log.note(undefined, `${api} failed part-way: list incomplete`);
  return { items: all, complete: outcome.status === 'ok' };
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
