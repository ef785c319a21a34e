import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AwsClientFactory } from '../aws/clients';
import { COLLECTORS } from '../collectors/registry';
import type { Collector } from '../collectors/types';
import type { Soc2MlConfig } from '../config/schema';
import { COLLECTOR_NAMES, GLOBAL_REGION } from '../evidence/record';
import type { EvidenceStore } from '../evidence/store';
import { collectInto, collectionRegions } from '../flows/collect';
import {
  accountFromFunctionArn,
  deployedEnvironment,
  type LambdaContextLike,
  parseScheduledEvent,
  UnsupportedEventError,
} from './runtime';

export { accountFromFunctionArn, type LambdaContextLike, UnsupportedEventError };

/** Time kept back from the Lambda timeout to write evidence and flush metrics. */
export const SAFETY_MARGIN_MS = 60_000;

export class UnknownCollectorError extends Error {
  constructor(name: string | undefined) {
    super(
      `COLLECTOR=${JSON.stringify(name ?? '')} has no implementation; known: ${COLLECTOR_NAMES.filter((n) => COLLECTORS[n]).join(', ')}`,
    );
    this.name = 'UnknownCollectorError';
  }
}

/** Some regions produced no evidence: the invocation fails so that the alarm and retries see it. */
export class CollectionRunFailedError extends Error {
  constructor(readonly failures: RegionFailure[]) {
    super(`collection failed in ${failures.map((f) => `${f.region} (${f.message})`).join('; ')}`);
    this.name = 'CollectionRunFailedError';
  }
}

export function collectorFor(name: string | undefined): Collector {
  const collector = (COLLECTOR_NAMES as readonly string[]).includes(name ?? '')
    ? COLLECTORS[name as (typeof COLLECTOR_NAMES)[number]]
    : undefined;
  if (!collector) throw new UnknownCollectorError(name);
  return collector;
}

export interface ScheduledCollectionInput {
  collector: Collector;
  config: Soc2MlConfig;
  account: string;
  /** The Lambda's region: where global collectors call their endpoints. */
  homeRegion: string;
  clients: AwsClientFactory;
  store: EvidenceStore;
  /** Epoch ms after which collectors start no new describe calls. */
  deadline: number;
  clock?: () => Date;
}

export interface RegionRun {
  region: string;
  key: string;
  sha256: string;
  resources: number;
  errors: number;
  calls: number;
}

export interface RegionFailure {
  region: string;
  message: string;
}

export interface ScheduledCollectionResult {
  collector: string;
  runs: RegionRun[];
  failures: RegionFailure[];
}

/**
 * A full snapshot of one collector: once for a global service, once per configured region
 * otherwise. A region that cannot be stored does not stop the others.
 */
export async function collectOnSchedule(input: ScheduledCollectionInput): Promise<ScheduledCollectionResult> {
  const { collector, config } = input;
  const regions = collectionRegions(collector, config.regions, input.homeRegion);
  const runs: RegionRun[] = [];
  const failures: RegionFailure[] = [];
  for (const region of regions) {
    try {
      const { record, stored } = await collectInto(input.store, {
        collector,
        account: input.account,
        region,
        clients: input.clients.forRun(),
        clock: input.clock ?? (() => new Date()),
        settings: config.collection,
        deadline: input.deadline,
        trigger: { type: 'schedule' },
      });
      runs.push({
        region: collector.global ? GLOBAL_REGION : region,
        key: stored.key,
        sha256: stored.sha256,
        resources: record.resources.length,
        errors: record.errors.length,
        calls: record.calls,
      });
    } catch (err) {
      failures.push({ region, message: (err as Error).message });
    }
  }
  return { collector: collector.name, runs, failures };
}

const logger = new Logger();
const metrics = new Metrics();

export async function handler(event: unknown, context: LambdaContextLike): Promise<ScheduledCollectionResult> {
  const startedAt = Date.now();
  const scheduled = parseScheduledEvent(event, 'collect');
  const collector = collectorFor(process.env.COLLECTOR);
  logger.appendKeys({ collector: collector.name, scheduledEventId: scheduled.id });

  const { config, clients, store, homeRegion } = await deployedEnvironment();

  const result = await collectOnSchedule({
    collector,
    config,
    account: accountFromFunctionArn(context.invokedFunctionArn),
    homeRegion,
    clients: clients,
    store,
    deadline: startedAt + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS,
  });

  metrics.addDimension('collector', collector.name);
  const total = (field: 'resources' | 'errors' | 'calls') => result.runs.reduce((sum, run) => sum + run[field], 0);
  metrics.addMetric('resources', MetricUnit.Count, total('resources'));
  metrics.addMetric('collectionErrors', MetricUnit.Count, total('errors'));
  metrics.addMetric('apiCalls', MetricUnit.Count, total('calls'));
  metrics.addMetric('failedRegions', MetricUnit.Count, result.failures.length);
  metrics.publishStoredMetrics();

  for (const run of result.runs) logger.info('evidence stored', { ...run });
  if (result.failures.length > 0) {
    logger.error('collection failed', { failures: result.failures });
    throw new CollectionRunFailedError(result.failures);
  }
  return result;
}
