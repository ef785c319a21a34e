import { type CollectionRun, runCollection } from '../collectors/run-collection';
import type { Collector, CollectorContext } from '../collectors/types';
import { readLatestFullRecord } from '../evidence/latest-record';
import type { CollectionError, Scope, Trigger } from '../evidence/record';
import { referencesOf } from '../evidence/resources/references';
import type { EvidenceStore } from '../evidence/store';
import { recordUnreachableAccount } from '../organization/member-account';

/** Where a collector describes: a global one once, through the home region; a regional one in each region. */
export function collectionRegions(collector: Collector, regions: readonly string[], homeRegion: string): string[] {
  return collector.global ? [homeRegion] : [...regions];
}

/** The region one collection of a planned task calls: the home region for a global collector. */
export function collectionRegion(collector: Collector, region: string, homeRegion: string): string {
  return collector.global ? homeRegion : region;
}

export interface CollectInput extends Omit<CollectorContext, 'scope'> {
  collector: Collector;
  /** Default: every resource of the account and region. */
  scope?: Scope;
  trigger: Trigger;
  /** The account's clients could not be had: its record holds this error instead of a description. */
  unreachable?: CollectionError;
}

/**
 * The container images the latest SageMaker evidence of the account and region records (training
 * and processing jobs, models): the ECR collector makes image-level calls for these only.
 */
export async function imagesInUse(store: EvidenceStore, account: string, region: string): Promise<string[]> {
  const record = await readLatestFullRecord(store, 'sagemaker', account, region);
  const images = new Set<string>();
  for (const resource of record?.resources ?? []) {
    for (const image of referencesOf(resource.configuration)?.images ?? []) images.add(image);
  }
  return [...images];
}

/**
 * One collection into the store, the same for the CLI, the schedule, the organisation task and
 * the change path: the collector context, then the run (or, for an account that cannot be
 * reached, the record of why). The ECR collector is given the images in use (imagesInUse). `clients` are the run's own (forRun()): the record counts their calls.
 */
export async function collectInto(store: EvidenceStore, input: CollectInput): Promise<CollectionRun> {
  const { collector, trigger, unreachable, scope, ...context } = input;
  const full: CollectorContext = { ...context, scope: scope ?? { type: 'all' } };
  if (collector.name === 'ecr' && !unreachable && full.scope.type === 'all') {
    full.images = await imagesInUse(store, full.account, full.region);
  }
  return unreachable
    ? recordUnreachableAccount(collector, full, store, trigger, unreachable)
    : runCollection(collector, full, store, trigger);
}
