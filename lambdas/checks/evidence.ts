import { COLLECTOR_NAMES, type CollectorName } from '../evidence/record';
import { bucketArn, bucketNameOf, S3_BUCKET_TYPE } from '../evidence/resources/s3';
import { defineAccountCheck, defineStoreCheck } from './framework';
import { accountRootArn, failureLine, type Verdict } from './helpers';
import { buildMlInventory } from './ml-inventory';
import type { Check, CheckContext, Finding, FindingStatus, Snapshot } from './types';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** How far back evidence.reports_on_schedule looks for missed report periods. */
export const REPORT_WINDOW_DAYS = 30;
/** Lateness a scheduled report may have before its period counts as missed (Lambda retries, clock skew). */
const REPORT_GRACE = 0.25;

const UNKNOWN_ACCOUNT = 'unknown';

function storeFinding(check: string, context: CheckContext, status: FindingStatus, detail: string, resource?: string): Finding {
  const bucket = context.facts?.evidenceBucket;
  return {
    check,
    resource: resource ?? (bucket ? bucketArn(bucket.name) : (context.facts?.location ?? 'evidence-store')),
    account: bucket?.account ?? UNKNOWN_ACCOUNT,
    region: bucket?.region ?? 'global',
    status,
    detail,
  };
}

interface PerAccountSpec {
  id: string;
  collectors: CollectorName[];
  passCondition: string;
  remediation: string;
  judge: (account: string, context: CheckContext) => Verdict;
}

/** A self-check answered for every account that appears in any snapshot, on its root. */
function perAccountCheck({ judge, ...spec }: PerAccountSpec): Check {
  return defineAccountCheck({
    ...spec,
    accountsOf: 'every collector',
    judge: ({ account }, context) => [
      { check: spec.id, resource: accountRootArn(account), account, region: 'global', ...judge(account, context) },
    ],
    noAccount: (context) => [storeFinding(spec.id, context, 'ERROR', 'no evidence collected for any account')],
  });
}

function bucketLocked(context: CheckContext): Finding[] {
  const id = 'evidence.bucket_locked';
  if (!context.facts) return [storeFinding(id, context, 'ERROR', 'store facts were not measured')];
  const bucket = context.facts.evidenceBucket;
  if (!bucket) {
    return [storeFinding(id, context, 'NOT_APPLICABLE', `local directory store ${context.facts.location} has no Object Lock`)];
  }
  const minimum = context.config.evidence.retentionDays;
  if (!bucket.objectLockEnabled) return [storeFinding(id, context, 'FAIL', 'Object Lock is not enabled')];
  if (bucket.mode !== 'COMPLIANCE') {
    return [storeFinding(id, context, 'FAIL', `default retention mode is ${bucket.mode ?? 'not set'}, not COMPLIANCE`)];
  }
  if ((bucket.days ?? 0) < minimum) {
    return [storeFinding(id, context, 'FAIL', `default retention is ${bucket.days ?? 0} days, below the configured ${minimum}`)];
  }
  return [storeFinding(id, context, 'PASS', `Object Lock COMPLIANCE, default retention ${bucket.days} days`)];
}

function collectionFresh(context: CheckContext): Finding[] {
  const maxAgeMs = context.config.thresholds.evidenceFreshnessHours * HOUR_MS;
  const findings: Finding[] = [];
  for (const collector of COLLECTOR_NAMES) {
    for (const snapshot of context.snapshots(collector)) {
      const ageHours = Math.floor((context.now.getTime() - Date.parse(snapshot.collectedAt)) / HOUR_MS);
      const resource = `${accountRootArn(snapshot.account)}#collector=${collector}/region=${snapshot.region}`;
      let status: FindingStatus = 'PASS';
      let detail = `full ${collector} snapshot ${ageHours} h old, complete`;
      if (context.now.getTime() - Date.parse(snapshot.collectedAt) > maxAgeMs) {
        status = 'FAIL';
        detail = `latest full ${collector} snapshot is ${ageHours} h old (limit ${context.config.thresholds.evidenceFreshnessHours} h)`;
      } else if (snapshot.errors.length > 0) {
        status = 'FAIL';
        detail = `${collector} snapshot incomplete: ${snapshot.errors.length} failed calls, first ${failureLine(snapshot.errors[0]!)}`;
      }
      findings.push({
        check: 'evidence.collection_fresh',
        resource,
        account: snapshot.account,
        region: snapshot.region,
        status,
        detail,
        evidence: snapshot.evidence,
      });
    }
  }
  return findings;
}

function integrity(context: CheckContext): Finding[] {
  const id = 'evidence.integrity';
  const result = context.facts?.integrity;
  if (!result) return [storeFinding(id, context, 'ERROR', 'digest chain not verified')];
  if (result.verified && result.digests === 0) {
    // Nothing sealed yet is not a verified chain: the first digest follows the first period's end.
    return [storeFinding(id, context, 'NOT_APPLICABLE', 'no digest yet: evidence is sealed once its period has ended')];
  }
  if (result.verified) return [storeFinding(id, context, 'PASS', `digest chain of ${result.digests ?? 'all'} digests verifies`)];
  const shown = result.problems.slice(0, 3).join('; ');
  const more = result.problems.length > 3 ? ` (and ${result.problems.length - 3} more)` : '';
  return [storeFinding(id, context, 'FAIL', `digest chain does not verify: ${shown || 'no detail'}${more}`)];
}

/**
 * Collected buckets whose change events never reach the change path: a bucket's events reach
 * EventBridge only in its own region, and only `regions`, changeEvents.bucketRegions and the
 * home region (the evidence bucket's) forward or receive them.
 */
function unwatchedBuckets(context: CheckContext, account: string): string[] {
  const { regions, changeEvents } = context.config;
  const home = context.facts?.evidenceBucket?.region;
  const watched = new Set([...regions, ...changeEvents.bucketRegions, ...(home ? [home] : [])]);
  return context
    .snapshots('s3')
    .filter((snapshot) => snapshot.account === account)
    .flatMap((snapshot) => snapshot.resources)
    .filter((resource) => resource.type === S3_BUCKET_TYPE && !watched.has(resource.region))
    .map((resource) => `${bucketNameOf(resource.arn)} (${resource.region})`)
    .sort();
}

function changeLog(account: string, context: CheckContext): Verdict {
  const events = context.facts?.changeEvents;
  if (!events) return { status: 'ERROR', detail: 'change events were not measured' };
  if (!events.healthy)
    return { status: 'FAIL', detail: `change-event path unhealthy${events.detail ? `: ${events.detail}` : ''}` };
  const unwatched = unwatchedBuckets(context, account);
  if (unwatched.length > 0)
    return {
      status: 'FAIL',
      detail: `changes to ${unwatched.length} buckets are not watched, their regions forward no change events: ${unwatched.join(', ')} (add the regions to changeEvents.bucketRegions)`,
    };
  const count = events.byAccount[account] ?? 0;
  return count > 0
    ? { status: 'PASS', detail: `${count} change events captured in the period` }
    : { status: 'FAIL', detail: 'no change events captured in the period' };
}

/** Length of one report period from an EventBridge schedule expression. */
export function reportPeriodMs(expression: string): number {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) return Number(rate[1]) * { minute: 60_000, hour: HOUR_MS, day: DAY_MS }[rate[2] as 'minute' | 'hour' | 'day'];
  const fields = /^cron\((.*)\)$/.exec(expression)?.[1]?.split(' ') ?? [];
  const [, hours, dayOfMonth, , dayOfWeek] = fields;
  const anyDay = (field: string | undefined) => field === '*' || field === '?';
  if (hours === '*' || hours?.includes('/')) return HOUR_MS;
  if (anyDay(dayOfMonth) && anyDay(dayOfWeek)) return DAY_MS;
  if (anyDay(dayOfMonth)) return 7 * DAY_MS;
  return 31 * DAY_MS;
}

/** Gaps between consecutive reports (the one being produced now included) longer than a period plus grace. */
function missedPeriods(context: CheckContext): { windowStart: number; gaps: [number, number][] } {
  const period = reportPeriodMs(context.config.schedules.report);
  const now = context.now.getTime();
  const reports = context.facts?.reports;
  const since = reports?.collectingSince ? Date.parse(reports.collectingSince) : now;
  const windowStart = Math.max(now - REPORT_WINDOW_DAYS * DAY_MS, since);
  const times = [
    windowStart,
    ...(reports?.generatedAt ?? []).map(Date.parse).filter((t) => t > windowStart && t <= now),
    now,
  ].sort((a, b) => a - b);
  const gaps: [number, number][] = [];
  for (let i = 1; i < times.length; i += 1) {
    if (times[i]! - times[i - 1]! > period * (1 + REPORT_GRACE)) gaps.push([times[i - 1]!, times[i]!]);
  }
  return { windowStart, gaps };
}

function reportsOnSchedule(_account: string, context: CheckContext): Verdict {
  const measured = context.facts !== undefined;
  const { windowStart, gaps } = missedPeriods(context);
  if (!measured) return { status: 'ERROR', detail: 'previous reports were not listed' };
  const since = new Date(windowStart).toISOString();
  if (gaps.length === 0)
    return { status: 'PASS', detail: `a report in every ${context.config.schedules.report} period since ${since}` };
  const [from, to] = gaps[0]!;
  return {
    status: 'FAIL',
    detail: `no report between ${new Date(from).toISOString()} and ${new Date(to).toISOString()} (${gaps.length} gaps since ${since})`,
  };
}

function mlInventory(account: string, context: CheckContext): Verdict {
  const snapshots: Snapshot[] = [
    ...context.snapshots('sagemaker'),
    ...context.snapshots('bedrock'),
    ...context.snapshots('s3'),
  ].filter((s) => s.account === account);
  const listingFailed = snapshots.flatMap((s) => s.errors).find((e) => e.resource === undefined);
  if (listingFailed) {
    return { status: 'ERROR', detail: `inventory incomplete: ${failureLine(listingFailed)}` };
  }
  const inventory = buildMlInventory(snapshots);
  const counts = Object.entries(inventory.counts).map(([kind, n]) => `${n} ${kind}`);
  return {
    status: 'PASS',
    detail: `inventory of ${inventory.nodes.length} resources (${counts.join(', ') || 'none'}), ${inventory.edges.length} data flows`,
  };
}

export const EVIDENCE_CHECKS: Check[] = [
  defineStoreCheck({
    id: 'evidence.bucket_locked',
    collectors: [],
    passCondition: 'Object Lock enabled, default retention COMPLIANCE for at least the configured days',
    remediation:
      'Deploy the evidence bucket with Object Lock in COMPLIANCE mode; retention cannot be added to an existing bucket without Object Lock.',
    judge: bucketLocked,
  }),
  defineStoreCheck({
    id: 'evidence.collection_fresh',
    collectors: [...COLLECTOR_NAMES],
    passCondition: 'each collector, account and region has a complete full snapshot within its freshness window',
    remediation:
      'Check the collector schedule and the failed calls named in the detail (permissions, throttling), then re-run collection.',
    judge: collectionFresh,
  }),
  defineStoreCheck({
    id: 'evidence.integrity',
    collectors: [],
    passCondition: 'the latest digest chain verifies',
    remediation:
      'Run soc2-ml verify, investigate every changed, missing or unlisted object, and escalate as a security incident.',
    judge: integrity,
  }),
  perAccountCheck({
    id: 'evidence.change_log',
    collectors: [],
    passCondition: 'change events captured in the period, and the event path healthy',
    remediation: 'Check the EventBridge rules, the SQS queue and its dead-letter queue of the change path.',
    judge: changeLog,
  }),
  perAccountCheck({
    id: 'evidence.reports_on_schedule',
    collectors: [],
    passCondition: 'a report produced in every scheduled period of the window',
    remediation: 'Check the report schedule and the evaluator Lambda errors; produce the missing report.',
    judge: reportsOnSchedule,
  }),
  perAccountCheck({
    id: 'evidence.ml_inventory',
    collectors: ['s3', 'sagemaker', 'bedrock'],
    passCondition: 'an ML inventory / data-flow graph produced from the latest evidence',
    remediation: 'Collect SageMaker, Bedrock and S3 evidence without listing errors so the inventory is complete.',
    judge: mlInventory,
  }),
];
