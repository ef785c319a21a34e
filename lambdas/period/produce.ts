import { ALL_CHECKS } from '../checks/registry';
import type { Soc2MlConfig } from '../config/schema';
import type { EvidenceStore } from '../evidence/store';
import { checklist, GLOBAL_COLLECTORS } from '../flows/evaluate';
import { listManualEvidence } from '../integrity/attest';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { type RecordedChange, readChangeEvents } from './change-events';
import { periodItems } from './items';
import { buildPopulations, drawSample, type Population, renderPopulationCsv } from './populations';
import { countingStore } from './read-stats';
import { type PeriodWindow, reconstructPeriod } from './reconstruct';
import { renderPeriodCsv } from './render-csv';
import { renderPeriodHtml } from './render-html';
import { renderPeriodOscal } from './render-oscal';
import type { KeyedTimeline } from './replay';
import type { TimedInterval } from './timeline';
import { COMPLIANT_STATUSES, PERIOD_SCHEMA, type PeriodCheck, type PeriodInterval, type PeriodResult, pushTo } from './types';

/** Sample size when none is asked for. */
export const DEFAULT_SAMPLE_SIZE = 25;

export interface ProducePeriodOptions {
  window: PeriodWindow;
  config: Soc2MlConfig;
  now: Date;
  sampleSize: number;
  seed: number;
  publicKeys?: readonly string[];
  onProgress?: (message: string) => void;
}

export interface ProducedPeriod {
  result: PeriodResult;
  populations: Population[];
}

/** Checks decided from collected evidence: the ones a replay can reconstruct (store-fact checks have no collector). */
export const REPLAYED_CHECKS = ALL_CHECKS.filter((check) => check.collectors.length > 0);

const iso = (ms: number) => new Date(ms).toISOString();
const secondsOf = (intervals: TimedInterval[], keep: (i: TimedInterval) => boolean) =>
  Math.round(intervals.filter(keep).reduce((sum, i) => sum + (i.to - i.from), 0) / 1000);

function toJsonInterval({ from, to, ...rest }: TimedInterval): PeriodInterval {
  return { ...rest, from: iso(from), to: iso(to) };
}

/**
 * `soc2-ml period` and the report Lambda's period run: reconstruct the window, judge the items
 * over it, build the populations and draw their samples.
 */
export async function producePeriod(evidenceStore: EvidenceStore, options: ProducePeriodOptions): Promise<ProducedPeriod> {
  const { window, config } = options;
  const { store, stats } = countingStore(evidenceStore);
  const catalog = checklist();
  // The change log is read while the records replay: both wait on the store.
  const changeLog = Promise.all([readChangeEvents(store, window), listManualEvidence(store)]);
  changeLog.catch(() => undefined);
  const reconstruction = await reconstructPeriod(store, {
    window,
    config,
    checks: REPLAYED_CHECKS,
    globalCollectors: GLOBAL_COLLECTORS,
    ...(options.publicKeys ? { publicKeys: options.publicKeys } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const [{ changes, problems: changeProblems }, manualEvidence] = await changeLog;
  attributeScheduledTransitions(reconstruction.resources, changes);
  const itemsOfCheck = new Map<string, string[]>();
  for (const item of catalog.items) for (const check of item.checks) pushTo(itemsOfCheck, check, item.id);

  const checks: PeriodCheck[] = reconstruction.resources
    .map(({ check, resource, account, region, intervals }) => ({
      check,
      items: itemsOfCheck.get(check) ?? [],
      resource,
      account,
      region,
      observedSeconds: secondsOf(intervals, (i) => i.status !== 'NOT_OBSERVED'),
      compliantSeconds: secondsOf(intervals, (i) => COMPLIANT_STATUSES.has(i.status)),
      notObservedSeconds: secondsOf(intervals, (i) => i.status === 'NOT_OBSERVED'),
      intervals: intervals.map(toJsonInterval),
    }))
    .sort((a, b) => a.check.localeCompare(b.check) || a.resource.localeCompare(b.resource) || a.region.localeCompare(b.region));

  const items = periodItems({
    catalog,
    replayedChecks: new Set(REPLAYED_CHECKS.map((c) => c.id)),
    resources: reconstruction.resources,
    checkTimelines: reconstruction.checks,
    manualEvidence,
    start: window.start,
    end: window.end,
  });
  const populations = buildPopulations(changes, reconstruction.resources);
  options.onProgress?.(
    `${reconstruction.recordsInWindow} record(s) in the window, ${reconstruction.baselineRecords} before it; ${changes.length} change event(s)`,
  );
  const result: PeriodResult = {
    schema: PERIOD_SCHEMA,
    from: window.from,
    to: window.to,
    generatedAt: options.now.toISOString(),
    generatedBy: { tool: TOOL_NAME, version: TOOL_VERSION },
    accounts: reconstruction.accounts,
    regions: reconstruction.regions,
    checks,
    items,
    populations: populations.map((population) => ({
      name: population.name,
      description: population.description,
      size: population.rows.length,
      file: populationFile(population.name),
      sample: drawSample(
        population.rows.map((row) => row[0]!),
        options.sampleSize,
        options.seed,
      ),
    })),
    problems: [...reconstruction.problems, ...changeProblems],
    reads: { ...stats },
  };
  return { result, populations };
}

/**
 * A transition a scheduled collection observed gets, as its cause, the latest recorded change
 * event naming that resource between the observation of the old status and the new one (an
 * event recorded without re-collection, or whose re-collection failed), marked inferred.
 */
export function attributeScheduledTransitions(resources: KeyedTimeline[], changes: RecordedChange[]): void {
  const byResource = new Map<string, RecordedChange[]>();
  for (const change of changes) for (const resource of change.resources) pushTo(byResource, resource, change);
  const observed = (status: string) => status !== 'NOT_OBSERVED';
  for (const timeline of resources) {
    const candidates = byResource.get(timeline.resource);
    if (!candidates) continue;
    timeline.intervals.forEach((interval, index) => {
      const previous = timeline.intervals[index - 1];
      if (!previous || interval.cause || !observed(previous.status) || !observed(interval.status)) return;
      const explaining = candidates.filter((c) => {
        const at = Date.parse(c.eventTime);
        return at > previous.from && at <= interval.from;
      });
      const latest = explaining[explaining.length - 1];
      if (latest)
        interval.cause = {
          eventName: latest.eventName,
          eventId: latest.eventId,
          principal: latest.principal,
          time: latest.eventTime,
          inferred: true,
        };
    });
  }
}

export const populationFile = (name: string) => `populations/${name}.csv`;

/** Every file of a period report: name (relative to the output folder) -> content. */
export function renderPeriodFiles({ result, populations }: ProducedPeriod): Map<string, string> {
  const files = new Map<string, string>([
    ['period.json', `${JSON.stringify(result, null, 2)}\n`],
    ['period.html', renderPeriodHtml(result)],
    ['period.csv', renderPeriodCsv(result)],
    ['period.oscal.json', renderPeriodOscal(result)],
  ]);
  for (const population of populations) files.set(populationFile(population.name), renderPopulationCsv(population));
  return files;
}
