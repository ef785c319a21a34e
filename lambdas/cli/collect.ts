import { availableCollectors, COLLECTORS } from '../collectors/registry';
import { runCollection } from '../collectors/run-collection';
import type { Collector } from '../collectors/types';
import { COLLECTOR_NAMES, type CollectorName, GLOBAL_REGION } from '../evidence/record';
import {
  type AwsOptions,
  clientFactory,
  homeRegion,
  loadConfig,
  openStore,
  parseList,
  resolveAccount,
  type StoreOptions,
} from './environment';
import { UsageError } from './errors';
import { type CliOutput, formatTable } from './output';

export interface CollectOptions extends StoreOptions, AwsOptions {
  collectors?: string;
  regions?: string;
  lookbackDays?: string;
  config?: string;
}

export interface CollectRunSummary {
  collector: CollectorName;
  region: string;
  resources: number;
  errors: number;
  calls: number;
  seconds: number;
  key: string;
  sha256: string;
}

export function selectCollectors(list: string | undefined): Collector[] {
  const names = parseList(list) ?? [...COLLECTOR_NAMES];
  const valid = availableCollectors();
  const unknown = names.filter((n) => !valid.includes(n as CollectorName));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(
      `unknown collector ${unknown.map((n) => `"${n}"`).join(', ') || '(none given)'}; valid: ${valid.join(', ')}`,
    );
  }
  return [...new Set(names)].map((n) => COLLECTORS[n as CollectorName]!);
}

/** `soc2-ml collect`: one evidence record per collector, account and region. */
export async function collectCommand(options: CollectOptions, out: CliOutput): Promise<number> {
  const config = await loadConfig(options.config);
  const collectors = selectCollectors(options.collectors);
  const regions = parseList(options.regions) ?? config.regions;
  if (regions.length === 0) throw new UsageError('--regions: give at least one region');
  if (options.lookbackDays !== undefined) {
    const days = Number(options.lookbackDays);
    if (!Number.isInteger(days) || days <= 0)
      throw new UsageError(`--lookback-days ${options.lookbackDays}: must be a positive integer`);
    config.collection.lookbackDays = days;
  }
  const region = homeRegion(options, config);
  const clients = clientFactory(options, config, region);
  const identity = await resolveAccount(clients);
  const store = await openStore(options, clients, config);
  out.progress(`collecting account ${identity.account} into ${store.location}`);

  const summaries: CollectRunSummary[] = [];
  const targets = collectors.flatMap((collector) =>
    (collector.global ? [region] : regions).map((target) => ({ collector, target })),
  );
  const steps = out.steps(targets.length);
  try {
    for (const { collector, target } of targets) {
      const label = `${collector.name} ${collector.global ? GLOBAL_REGION : target}`;
      steps.start(label);
      const started = Date.now();
      const run = await runCollection(
        collector,
        {
          account: identity.account,
          region: target,
          scope: { type: 'all' },
          clients: clients.forRun(),
          clock: () => new Date(),
          settings: config.collection,
          progress: (line) => steps.note(line),
        },
        store,
        { type: 'cli', user: identity.arn },
      );
      const summary: CollectRunSummary = {
        collector: collector.name,
        region: run.record.region,
        resources: run.record.resources.length,
        errors: run.record.errors.length,
        calls: run.record.calls,
        seconds: (Date.now() - started) / 1000,
        key: run.stored.key,
        sha256: run.stored.sha256,
      };
      summaries.push(summary);
      steps.done(
        label,
        `${summary.resources} resources, ${summary.errors} errors, ${summary.calls} calls in ${summary.seconds.toFixed(1)} s`,
      );
      for (const error of run.record.errors.slice(0, 5)) {
        steps.note(`error: ${error.api}${error.resource ? ` ${error.resource}` : ''}: ${error.code}`);
      }
      if (run.record.errors.length > 5) steps.note(`... and ${run.record.errors.length - 5} more errors in the evidence record`);
    }
  } finally {
    steps.stop();
  }

  out.json({ account: identity.account, store: store.location, runs: summaries });
  out.result(
    formatTable(
      ['collector', 'region', 'resources', 'errors', 'calls', 'seconds', 'evidence'],
      summaries.map((s) => [s.collector, s.region, s.resources, s.errors, s.calls, s.seconds.toFixed(1), s.key]),
    ),
  );
  const totalErrors = summaries.reduce((n, s) => n + s.errors, 0);
  out.result(
    `\n${summaries.reduce((n, s) => n + s.resources, 0)} resources, ${summaries.reduce((n, s) => n + s.calls, 0)} calls, ` +
      `${totalErrors} errors${totalErrors > 0 ? ' (recorded in the evidence; affected checks will report ERROR)' : ''}; evidence in ${store.location}`,
  );
  return 0;
}
