/**
 * `npm run cost`: monthly cost of running soc2-ml-evidence in a reference account, next to
 * running the same checks as AWS Config rules or Security Hub controls. Deterministic: the
 * prices, the account and the calls per resource are tables below; change them and re-run.
 */
import { ALL_CHECKS } from '../lambdas/checks/registry';

/** us-east-1 list prices, as of 2026-11 list prices, check the AWS pricing pages before quoting. */
export const PRICES = {
  lambdaPerMillionRequests: 0.2,
  /** Arm64, first 7.5 billion GB-seconds a month. */
  lambdaArmPerGbSecond: 0.0000133334,
  s3PutPer1000: 0.005,
  s3ListPer1000: 0.005,
  s3GetPer1000: 0.0004,
  s3StandardPerGbMonth: 0.023,
  s3GlacierIrPerGbMonth: 0.004,
  s3LifecycleTransitionPer1000: 0.02,
  kmsKeyMonth: 1.0,
  kmsSymmetricPer10000: 0.03,
  kmsAsymmetricSignPer10000: 0.15,
  sqsPerMillionRequests: 0.4,
  /** AWS service events on the default bus are free; forwarding global events to another region is not. */
  eventBridgeCrossRegionPerMillion: 1.0,
  /** [up to this many a month, price each]: Config rule evaluations and Security Hub checks share these tiers. */
  evaluationTiers: [
    [100_000, 0.001],
    [500_000, 0.0008],
    [Number.POSITIVE_INFINITY, 0.0005],
  ] as const,
  configItemRecorded: 0.003,
} as const;

/** The reference account of the README: one region, default schedules. */
export const REFERENCE_ACCOUNT = {
  buckets: 200,
  users: 50,
  /** Assumed: roles are not in the brief; a team of this size has about two per user. */
  roles: 100,
  keys: 30,
  notebooks: 40,
  trainingJobsPerMonth: 500,
  /** Assumed: one model per endpoint. */
  models: 20,
  endpoints: 20,
  trails: 1,
  changeEventsPerDay: 300,
  /** Share of change events forwarded from us-east-1: none when the app is deployed in us-east-1. */
  forwardedEventShare: 0,
} as const;

/**
 * API calls per collector run: fixed listing calls plus calls per resource, measured by
 * running each collector against the emulator empty and with the demo account seeded
 * (lambdas/cli/demo-seed.ts) and reading the client call counter per operation, 2026-11.
 */
export const CALLS = {
  s3: { fixed: 2, perBucket: 10 },
  iam: { fixed: 9, perUser: 6, perRole: 1 },
  kms: { fixed: 2, perKey: 4 },
  sagemaker: { fixed: 14, perNotebook: 2, perTrainingJob: 1, perModel: 1, perEndpoint: 5 },
  cloudtrail: { fixed: 1, perTrail: 2 },
  // Logging configuration and five listings; a describe per custom model, job in the window, guardrail and agent.
  bedrock: { fixed: 6, perResource: 1 },
  // Registry scanning configuration and the repository listing; tags per repository.
  ecr: { fixed: 2, perRepository: 1 },
  // Account status per region: a few calls, whatever the estate's size (backup: plans, selections, restore tests).
  guardduty: { fixed: 2 },
  securityhub: { fixed: 2 },
  inspector: { fixed: 1 },
  backup: { fixed: 6 },
  macie: { fixed: 5 },
} as const;

/** Deployment facts from lib/: memory of each function, default schedules (runs a day), SageMaker look-back. */
export const DEPLOYMENT = {
  collectorMemoryGb: 1,
  evaluatorMemoryGb: 2,
  runsPerDay: {
    s3: 4,
    iam: 4,
    kms: 4,
    cloudtrail: 4,
    sagemaker: 24,
    guardduty: 4,
    securityhub: 4,
    inspector: 4,
    backup: 4,
    macie: 4,
  },
  reportsPerDay: 1,
  lookbackDays: 90,
  concurrency: 16,
  /** Assumed: one API call takes 60 ms; a run starts in 1 s (cold start, credential resolution). */
  secondsPerCall: 0.06,
  runOverheadSeconds: 1,
  /** Assumed: a gzip evidence record holds about 600 bytes per resource. */
  evidenceBytesPerResource: 600,
  /** An evaluation reads the latest record of each collector plus the listings to find them. */
  evaluationGets: 5,
  evaluationLists: 5,
  evaluatorSeconds: 3,
  /** Report files written twice (dated and latest): json, html, md, csv. */
  reportObjects: 8,
  /** Object Lock retention and the move to Glacier Instant Retrieval (config defaults). */
  retentionMonths: 13,
  standardMonths: 3,
} as const;

const DAYS_PER_MONTH = 30;

export interface CostLine {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

function line(service: string, item: string, quantity: number, unit: string, usd: number): CostLine {
  return { service, item, quantity, unit, usd };
}

/** Resources each collector run describes in the reference account. */
export function resourcesPerRun(account = REFERENCE_ACCOUNT) {
  const trainingJobsInWindow = Math.round((account.trainingJobsPerMonth * DEPLOYMENT.lookbackDays) / DAYS_PER_MONTH);
  return {
    s3: account.buckets,
    iam: account.users + account.roles,
    kms: account.keys,
    sagemaker: account.notebooks * 2 + trainingJobsInWindow + account.models + account.endpoints * 2,
    cloudtrail: account.trails,
    // One status resource per region (a detector, a hub, a few backup plans).
    guardduty: 1,
    securityhub: 1,
    inspector: 1,
    backup: 3,
    macie: 1,
    trainingJobsInWindow,
  };
}

export function callsPerRun(account = REFERENCE_ACCOUNT) {
  const { trainingJobsInWindow } = resourcesPerRun(account);
  return {
    s3: CALLS.s3.fixed + CALLS.s3.perBucket * account.buckets,
    iam: CALLS.iam.fixed + CALLS.iam.perUser * account.users + CALLS.iam.perRole * account.roles,
    kms: CALLS.kms.fixed + CALLS.kms.perKey * account.keys,
    sagemaker:
      CALLS.sagemaker.fixed +
      CALLS.sagemaker.perNotebook * account.notebooks +
      CALLS.sagemaker.perTrainingJob * trainingJobsInWindow +
      CALLS.sagemaker.perModel * account.models +
      CALLS.sagemaker.perEndpoint * account.endpoints,
    cloudtrail: CALLS.cloudtrail.fixed + CALLS.cloudtrail.perTrail * account.trails,
    guardduty: CALLS.guardduty.fixed,
    securityhub: CALLS.securityhub.fixed,
    inspector: CALLS.inspector.fixed,
    backup: CALLS.backup.fixed,
    macie: CALLS.macie.fixed,
  };
}

/** Monthly cost of soc2-ml-evidence: schedule path, change path, reports, storage and keys. */
export function soc2MlCost(account = REFERENCE_ACCOUNT): CostLine[] {
  const calls = callsPerRun(account);
  const resources = resourcesPerRun(account);
  const collectors = Object.keys(DEPLOYMENT.runsPerDay) as (keyof typeof DEPLOYMENT.runsPerDay)[];
  const scheduledRuns = collectors.reduce((n, c) => n + DEPLOYMENT.runsPerDay[c] * DAYS_PER_MONTH, 0);
  const runSeconds = (c: keyof typeof calls) =>
    DEPLOYMENT.runOverheadSeconds + (calls[c] * DEPLOYMENT.secondsPerCall) / DEPLOYMENT.concurrency;
  const scheduledGbSeconds = collectors.reduce(
    (n, c) => n + DEPLOYMENT.runsPerDay[c] * DAYS_PER_MONTH * runSeconds(c) * DEPLOYMENT.collectorMemoryGb,
    0,
  );
  const events = account.changeEventsPerDay * DAYS_PER_MONTH;
  // A change re-collects one resource (about 10 calls) and re-evaluates.
  const eventCollectSeconds = DEPLOYMENT.runOverheadSeconds + (10 * DEPLOYMENT.secondsPerCall) / 1;
  const evaluations = events + DEPLOYMENT.reportsPerDay * DAYS_PER_MONTH;
  const lambdaRequests = scheduledRuns + events * 2 + DEPLOYMENT.reportsPerDay * DAYS_PER_MONTH;
  const lambdaGbSeconds =
    scheduledGbSeconds +
    events * eventCollectSeconds * DEPLOYMENT.collectorMemoryGb +
    evaluations * DEPLOYMENT.evaluatorSeconds * DEPLOYMENT.evaluatorMemoryGb;

  const puts =
    scheduledRuns + events + DAYS_PER_MONTH /* digests */ + DEPLOYMENT.reportsPerDay * DAYS_PER_MONTH * DEPLOYMENT.reportObjects;
  const gets = evaluations * DEPLOYMENT.evaluationGets;
  const lists = evaluations * DEPLOYMENT.evaluationLists;
  const monthlyBytes = collectors.reduce(
    (n, c) => n + DEPLOYMENT.runsPerDay[c] * DAYS_PER_MONTH * resources[c] * DEPLOYMENT.evidenceBytesPerResource,
    events * DEPLOYMENT.evidenceBytesPerResource * 2,
  );
  const monthlyGb = monthlyBytes / 1024 ** 3;
  const standardGb = monthlyGb * DEPLOYMENT.standardMonths;
  const glacierGb = monthlyGb * (DEPLOYMENT.retentionMonths - DEPLOYMENT.standardMonths);
  // SSE-KMS without an S3 Bucket Key: one KMS request per object written or read (an upper bound).
  const kmsRequests = puts + gets;
  const signatures = DAYS_PER_MONTH;
  const sqsRequests = events * 3; // send, receive, delete

  return [
    line(
      'Lambda',
      'requests (collectors, change path, evaluator)',
      lambdaRequests,
      'requests',
      (lambdaRequests / 1e6) * PRICES.lambdaPerMillionRequests,
    ),
    line('Lambda', 'compute, arm64', Math.round(lambdaGbSeconds), 'GB-s', lambdaGbSeconds * PRICES.lambdaArmPerGbSecond),
    line('S3', 'PUT evidence, digests, reports', puts, 'requests', (puts / 1000) * PRICES.s3PutPer1000),
    line('S3', 'GET evidence for evaluation', gets, 'requests', (gets / 1000) * PRICES.s3GetPer1000),
    line('S3', 'LIST evidence for evaluation', lists, 'requests', (lists / 1000) * PRICES.s3ListPer1000),
    line(
      'S3',
      `storage, Standard (first ${DEPLOYMENT.standardMonths} months)`,
      round(standardGb, 3),
      'GB-month',
      standardGb * PRICES.s3StandardPerGbMonth,
    ),
    line(
      'S3',
      'storage, Glacier IR (rest of Object Lock retention)',
      round(glacierGb, 3),
      'GB-month',
      glacierGb * PRICES.s3GlacierIrPerGbMonth,
    ),
    line('S3', 'lifecycle transitions to Glacier IR', puts, 'objects', (puts / 1000) * PRICES.s3LifecycleTransitionPer1000),
    line('KMS', 'keys (evidence encryption, digest signing)', 2, 'key-months', 2 * PRICES.kmsKeyMonth),
    line('KMS', 'symmetric requests (SSE-KMS)', kmsRequests, 'requests', (kmsRequests / 10_000) * PRICES.kmsSymmetricPer10000),
    line('KMS', 'digest signatures (ECC)', signatures, 'requests', (signatures / 10_000) * PRICES.kmsAsymmetricSignPer10000),
    line('SQS', 'change-event queue', sqsRequests, 'requests', (sqsRequests / 1e6) * PRICES.sqsPerMillionRequests),
    line(
      'EventBridge',
      'CloudTrail events on the default bus (free) and forwarded global events',
      events * account.forwardedEventShare,
      'events',
      ((events * account.forwardedEventShare) / 1e6) * PRICES.eventBridgeCrossRegionPerMillion,
    ),
  ];
}

/** Which resources each check judges, by check id prefix; unmatched checks judge the account once. */
const CHECK_TARGETS: [prefix: string, count: (a: typeof REFERENCE_ACCOUNT, jobs: number) => number][] = [
  ['s3.', (a) => a.buckets],
  ['kms.', (a) => a.keys],
  ['ct.', (a) => a.trails],
  ['sm.notebook.', (a) => a.notebooks],
  ['sm.training.', (_a, jobs) => jobs],
  ['sm.model.', (a) => a.models],
  ['sm.endpoint.', (a) => a.endpoints],
  ['iam.sagemaker_roles_scoped', (a) => a.roles],
  ['iam.', (a) => a.users],
];

/** Check evaluations per full pass over the account, from the checks in code. */
export function evaluationsPerPass(account = REFERENCE_ACCOUNT): number {
  const jobs = Math.round(account.trainingJobsPerMonth);
  return ALL_CHECKS.reduce((n, check) => {
    const target = CHECK_TARGETS.find(([prefix]) => check.id.startsWith(prefix));
    return n + (target ? target[1](account, jobs) : 1);
  }, 0);
}

/** The same checks as AWS Config custom rules (daily periodic) and as Security Hub controls (daily). */
export function managedServiceCost(account = REFERENCE_ACCOUNT): { config: CostLine[]; securityHub: CostLine[] } {
  const perPass = evaluationsPerPass(account);
  const events = account.changeEventsPerDay * DAYS_PER_MONTH;
  // Periodic daily, plus a re-evaluation of the changed resource's checks (about 5) on each change.
  const evaluations = perPass * DAYS_PER_MONTH + events * 5;
  const recorded = events; // one configuration item per change recorded by the Config recorder
  const recorder = line('AWS Config', 'configuration items recorded', recorded, 'items', recorded * PRICES.configItemRecorded);
  return {
    config: [
      recorder,
      line(
        'AWS Config',
        `rule evaluations (${ALL_CHECKS.length} checks)`,
        evaluations,
        'evaluations',
        tieredEvaluationCost(evaluations),
      ),
    ],
    securityHub: [
      recorder,
      line(
        'Security Hub',
        `control checks (${ALL_CHECKS.length} checks)`,
        evaluations,
        'checks',
        tieredEvaluationCost(evaluations),
      ),
    ],
  };
}

/** Price of a month's evaluations under the volume tiers. */
export function tieredEvaluationCost(evaluations: number): number {
  let cost = 0;
  let floor = 0;
  for (const [ceiling, price] of PRICES.evaluationTiers) {
    cost += Math.max(0, Math.min(evaluations, ceiling) - floor) * price;
    floor = ceiling;
  }
  return cost;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const usd = (n: number) => `$${n.toFixed(2)}`;
const total = (lines: CostLine[]) => lines.reduce((n, l) => n + l.usd, 0);

export function renderCostMarkdown(account = REFERENCE_ACCOUNT): string {
  const ours = soc2MlCost(account);
  const managed = managedServiceCost(account);
  const table = (lines: CostLine[]) => [
    '| Service | Item | Quantity / month | Cost / month |',
    '|---|---|---:|---:|',
    ...lines.map((l) => `| ${l.service} | ${l.item} | ${l.quantity.toLocaleString('en-US')} ${l.unit} | ${usd(l.usd)} |`),
    `| **Total** | | | **${usd(total(lines))}** |`,
  ];
  const calls = callsPerRun(account);
  return [
    `# Monthly cost estimate (us-east-1, as of 2026-11 list prices, check the AWS pricing pages)`,
    '',
    `Reference account: ${account.buckets} buckets, ${account.users} users, ${account.roles} roles, ${account.keys} keys, ` +
      `${account.notebooks} notebooks, ${account.trainingJobsPerMonth} training jobs a month, ${account.endpoints} endpoints, ` +
      `${account.changeEventsPerDay} change events a day.`,
    `API calls per collector run: ${Object.entries(calls)
      .map(([c, n]) => `${c} ${n}`)
      .join(', ')}.`,
    '',
    '## soc2-ml-evidence',
    '',
    ...table(ours),
    '',
    '## Side by side',
    '',
    '| Approach | Cost / month |',
    '|---|---:|',
    `| soc2-ml-evidence (this app) | ${usd(total(ours))} |`,
    `| Same checks as AWS Config rules | ${usd(total(managed.config))} |`,
    `| Same checks as Security Hub controls | ${usd(total(managed.securityHub))} |`,
    '',
    `Config and Security Hub: ${evaluationsPerPass(account).toLocaleString('en-US')} evaluations per daily pass over the account, plus 5 per change event.`,
    '',
  ].join('\n');
}

if (require.main === module) {
  process.stdout.write(renderCostMarkdown());
}
