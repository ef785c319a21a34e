import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Soc2MlConfig } from '../config/schema';
import { PERIOD_REPORTS_PREFIX } from '../evidence/layout';
import type { EvidenceStore } from '../evidence/store';
import { contentTypeOf } from '../report/pipeline';
import { DEFAULT_SAMPLE_SIZE, producePeriod, renderPeriodFiles } from './produce';
import { type PeriodWindow, parseWindow } from './reconstruct';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/**
 * The report Lambda's period request: `{ "period": "previous-month" }` (the monthly schedule, on
 * the first of each month) or `{ "period": { "from": "YYYY-MM-DD", "to": "YYYY-MM-DD" } }` (on demand).
 */
export const periodRequestSchema = z.strictObject({
  period: z.union([z.literal('previous-month'), z.strictObject({ from: day, to: day })]),
});
export type PeriodRequest = z.infer<typeof periodRequestSchema>;

export function isPeriodRequest(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'period' in event;
}

/** The window a request names; "previous-month" is the whole calendar month (UTC) before `now`. */
export function requestedWindow(request: PeriodRequest, now: Date): PeriodWindow {
  if (request.period !== 'previous-month') return parseWindow(request.period.from, request.period.to);
  const firstOfThisMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const lastOfPrevious = new Date(firstOfThisMonth - 86_400_000);
  const firstOfPrevious = new Date(Date.UTC(lastOfPrevious.getUTCFullYear(), lastOfPrevious.getUTCMonth(), 1));
  return parseWindow(firstOfPrevious.toISOString().slice(0, 10), lastOfPrevious.toISOString().slice(0, 10));
}

export interface StoredPeriodReport {
  from: string;
  to: string;
  prefix: string;
  /** Keys written by this run; empty when the window's report was already there. */
  keys: string[];
  status: 'written' | 'already-written';
  seed?: number;
}

/**
 * Reconstructs the window and stores every period file under reports/period/<from>_<to>/
 * (PERIOD_REPORTS_PREFIX: write-once, the bucket policy enforces it). period.json goes last, so its presence means the report is complete: a retried
 * invocation finds it and writes nothing; a folder holding files but no period.json (a run that
 * failed half-way) is refused rather than mixed with a second run's sample.
 */
export async function runPeriodReport(input: {
  store: EvidenceStore;
  config: Soc2MlConfig;
  now: Date;
  window: PeriodWindow;
  onProgress?: (message: string) => void;
}): Promise<StoredPeriodReport> {
  const { store, window } = input;
  const prefix = `${PERIOD_REPORTS_PREFIX}${window.from}_${window.to}/`;
  const existing: string[] = [];
  for await (const object of store.list(prefix)) existing.push(object.key);
  if (existing.includes(`${prefix}period.json`))
    return { from: window.from, to: window.to, prefix, keys: [], status: 'already-written' };
  if (existing.length > 0)
    throw new Error(
      `${prefix} holds ${existing.length} file(s) of an incomplete earlier run and no period.json: not mixing runs`,
    );
  // A fresh seed per window, recorded in period.json: nobody can know the sample in advance.
  const seed = randomInt(2 ** 32 - 1);
  const produced = await producePeriod(store, {
    window,
    config: input.config,
    now: input.now,
    sampleSize: DEFAULT_SAMPLE_SIZE,
    seed,
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  });
  const files = [...renderPeriodFiles(produced)].sort(([a], [b]) => Number(a === 'period.json') - Number(b === 'period.json'));
  const keys: string[] = [];
  for (const [name, content] of files) {
    const stored = await store.put(`${prefix}${name}`, new TextEncoder().encode(content), { contentType: contentTypeOf(name) });
    keys.push(stored.key);
  }
  return { from: window.from, to: window.to, prefix, keys, status: 'written', seed };
}
