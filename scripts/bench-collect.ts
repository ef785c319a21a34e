/**
 * Benchmark of the collectors against a large synthetic account in the emulator (issue 3):
 * per collector, wall time, API calls made against the fewest that could do, and peak RSS.
 *
 * Usage: npm run bench:collect -- [--scale 1] [--latency-ms 0] [--concurrency 16]
 *   --scale        fraction of the full account (1,000 buckets, 2,000 users, 300 keys, 500
 *                  notebooks, 5,000 training jobs of which 500 in the window, 200 endpoints)
 *   --latency-ms   fixed delay added to every call (client middleware); when set, every
 *                  collector runs at concurrency 1 and then at --concurrency, and the speed-up shows
 *   --concurrency  describe calls in flight per collector (the config default is 16)
 *
 * The look-back window: moto stamps every training job with the time it was created, so the
 * old jobs are seeded first, then the in-window ones after a pause, and the SageMaker collector
 * runs with an injected clock lookbackDays after that pause: its window edge falls between the
 * two batches, exactly as a clock-driven window would see 4,500 old and 500 recent jobs.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AwsClientFactory } from '../lambdas/aws/clients';
import { EMULATOR_ACCOUNT, EMULATOR_REGION, ensureEmulatorEnvironment, startMoto } from '../lambdas/cli/emulator';
import { startDateRewritingProxy } from '../lambdas/cli/emulator-dates';
import { COLLECTORS } from '../lambdas/collectors/registry';
import type { CollectorContext, CollectorOutput, CollectorSettings } from '../lambdas/collectors/types';
import type { CollectorName } from '../lambdas/evidence/record';
import { SM_TRAINING_JOB_TYPE } from '../lambdas/evidence/resources/sagemaker';
import {
  customizationJobsOutsideWindow,
  type GenerativeCounts,
  generativeMinimumCalls,
  seedGenerativeEstate,
} from './bench-collect-generative';
import { type SeededCounts, seedLargeAccount } from './bench-collect-seed';

type Seeded = SeededCounts & { generative: GenerativeCounts };

const LOOKBACK_DAYS = 90;
const DAY_MS = 86_400_000;
/** The collectors the benchmark seeds an estate for; the security services' status is a fixed few calls. */
const ORDER = ['s3', 'iam', 'kms', 'cloudtrail', 'sagemaker', 'bedrock', 'ecr'] as const satisfies readonly CollectorName[];
type BenchedCollector = (typeof ORDER)[number];
const FAKE_CREDENTIALS = async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' });

/** Largest page each listing API allows: the minimum assumes a collector asks for full pages. */
const PAGE = { s3Buckets: 1_000, iam: 1_000, kmsKeys: 1_000, kmsAliases: 100, sageMaker: 100, alarms: 100 } as const;
const pages = (items: number, pageSize: number) => Math.max(1, Math.ceil(items / pageSize));

/**
 * The fewest calls per operation that describe the seeded account completely against this
 * emulator. Where moto answers differently from AWS the emulator's minimum is used, and
 * EMULATOR_NOTES says what AWS itself would need.
 */
function minimumCalls(collector: BenchedCollector, seeded: Seeded): Record<string, number> {
  const s = seeded;
  switch (collector) {
    case 's3': {
      const perBucket = [
        'GetBucketEncryption',
        'GetBucketPolicy',
        'GetBucketVersioning',
        'GetPublicAccessBlock',
        'GetBucketLogging',
        'GetBucketLifecycleConfiguration',
        'GetBucketReplication',
        'GetObjectLockConfiguration',
        'GetBucketTagging',
      ];
      return {
        'S3Client.ListBuckets': pages(s.buckets, PAGE.s3Buckets),
        ...Object.fromEntries(perBucket.map((api) => [`S3Client.${api}`, s.buckets])),
        'S3ControlClient.GetPublicAccessBlock': 1,
        // moto's ListBuckets carries no BucketRegion, so each bucket must be located.
        'S3Client.GetBucketLocation': s.buckets,
      };
    }
    case 'iam':
      return {
        // moto's report always says it was generated in 2015: too old to reuse, so it is regenerated.
        'IAMClient.GetCredentialReport': 2,
        'IAMClient.GenerateCredentialReport': 1,
        'IAMClient.GetAccountSummary': 1,
        'IAMClient.GetAccountPasswordPolicy': 1,
        'IAMClient.ListUsers': pages(s.users, PAGE.iam),
        'IAMClient.ListGroups': pages(s.groups, PAGE.iam),
        'IAMClient.ListRoles': pages(s.roles, PAGE.iam),
        'IAMClient.ListPolicies': pages(s.customerPolicies, PAGE.iam),
        'IAMClient.ListGroupsForUser': s.users,
        'IAMClient.ListAttachedUserPolicies': s.users,
        'IAMClient.ListUserPolicies': s.users,
        'IAMClient.ListMFADevices': s.users,
        'IAMClient.ListAccessKeys': s.users,
        'IAMClient.GetAccessKeyLastUsed': s.usersWithAccessKey,
        'IAMClient.GetUserPolicy': s.usersWithInlinePolicy,
        'IAMClient.ListAttachedGroupPolicies': s.groups,
        'IAMClient.ListGroupPolicies': s.groups,
        'IAMClient.ListAttachedRolePolicies': s.roles,
        'IAMClient.ListRolePolicies': s.roles,
        'IAMClient.GetPolicyVersion': s.customerPolicies,
      };
    case 'kms':
      return {
        'KMSClient.ListKeys': pages(s.keys, PAGE.kmsKeys),
        'KMSClient.ListAliases': pages(s.aliases, PAGE.kmsAliases),
        'KMSClient.DescribeKey': s.keys,
        'KMSClient.GetKeyRotationStatus': s.keys,
        'KMSClient.GetKeyPolicy': s.keys,
        'KMSClient.ListResourceTags': s.keys,
      };
    case 'cloudtrail':
      return {
        'CloudTrailClient.DescribeTrails': 1,
        'CloudTrailClient.GetTrailStatus': s.trails,
        'CloudTrailClient.GetEventSelectors': s.trails,
      };
    case 'sagemaker':
      return {
        'SageMakerClient.ListNotebookInstances': pages(s.notebooks, PAGE.sageMaker),
        'SageMakerClient.DescribeNotebookInstance': s.notebooks,
        'SageMakerClient.ListNotebookInstanceLifecycleConfigs': pages(s.lifecycleConfigs, PAGE.sageMaker),
        'SageMakerClient.DescribeNotebookInstanceLifecycleConfig': s.lifecycleConfigs,
        'SageMakerClient.ListDomains': 1,
        // moto ignores SortOrder and filters CreationTimeAfter after paging, so it pages every job.
        'SageMakerClient.ListTrainingJobs': pages(s.trainingJobs, PAGE.sageMaker),
        'SageMakerClient.DescribeTrainingJob': s.trainingJobsInWindow,
        'SageMakerClient.ListProcessingJobs': 1,
        'SageMakerClient.ListModels': pages(s.models, PAGE.sageMaker),
        'SageMakerClient.DescribeModel': s.models,
        'SageMakerClient.ListEndpoints': pages(s.endpoints, PAGE.sageMaker),
        'SageMakerClient.DescribeEndpoint': s.endpoints,
        'SageMakerClient.DescribeEndpointConfig': s.endpointConfigs,
        'SageMakerClient.ListModelPackageGroups': 1,
        'SageMakerClient.ListMonitoringSchedules': 1,
        'SageMakerClient.ListDataQualityJobDefinitions': 1,
        'SageMakerClient.ListModelQualityJobDefinitions': 1,
        'SageMakerClient.ListModelBiasJobDefinitions': 1,
        'SageMakerClient.ListModelExplainabilityJobDefinitions': 1,
        'SageMakerClient.ListFeatureGroups': 1,
        'CloudWatchClient.DescribeAlarms': pages(s.alarms, PAGE.alarms),
        'ApplicationAutoScalingClient.DescribeScalableTargets': 1,
        'ApplicationAutoScalingClient.DescribeScalingPolicies': 1,
      };
    case 'bedrock':
    case 'ecr':
      return generativeMinimumCalls(collector, seeded.generative);
  }
}

const EMULATOR_NOTES = [
  'S3 GetBucketLocation: AWS ListBuckets returns BucketRegion, so against AWS the minimum is 0 (moto: one per bucket).',
  'IAM credential report: AWS reuses a fresh report with 1 GetCredentialReport (moto dates every report 2015: 3 calls).',
  'ListTrainingJobs: AWS sorts newest first and filters before paging: ceil(in-window / 100) pages (moto: ceil(all / 100)).',
  'ListNotebookInstanceLifecycleConfigs, ListMonitoringSchedules, ListFeatureGroups: not implemented by moto (500, recorded as errors).',
  'Bedrock: through a proxy rewriting moto dates; ListGuardrails and ListProvisionedModelThroughputs are 500 in moto; moto makes one custom model per customization job.',
  "ListModelCustomizationJobs: moto answers no job for a creationTimeAfter near its jobs' times, so none is described here (AWS: one GetModelCustomizationJob per job in the window; the window logic is unit-tested).",
];

interface RunResult {
  collector: BenchedCollector;
  concurrency: number;
  wallMs: number;
  calls: Record<string, number>;
  total: number;
  output: CollectorOutput;
  peakRssMiB: number;
}

async function runOne(
  collector: BenchedCollector,
  endpointUrl: string,
  settings: CollectorSettings,
  latencyMs: number,
  clock: () => Date,
): Promise<RunResult> {
  const clients = new AwsClientFactory({
    region: EMULATOR_REGION,
    endpointUrl,
    maxAttempts: 1,
    credentials: FAKE_CREDENTIALS,
    injectedLatencyMs: latencyMs,
  });
  const context: CollectorContext = {
    account: EMULATOR_ACCOUNT,
    region: EMULATOR_REGION,
    scope: { type: 'all' },
    clients,
    clock,
    settings,
  };
  const started = performance.now();
  const output = await COLLECTORS[collector].collect(context);
  const wallMs = performance.now() - started;
  const calls = Object.fromEntries(Object.entries(clients.calls.operations()).map(([op, n]) => [op.replace(/Command$/, ''), n]));
  return {
    collector,
    concurrency: settings.concurrency,
    wallMs,
    calls,
    total: clients.calls.total,
    output,
    // maxRSS is in kilobytes and is the whole process's peak so far.
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
const fmt = (n: number) => n.toLocaleString('en-US');

function printCallTable(run: RunResult, minimum: Record<string, number>): void {
  const operations = [...new Set([...Object.keys(minimum), ...Object.keys(run.calls)])].sort();
  console.log(`\n${run.collector}: calls per operation (concurrency ${run.concurrency})`);
  console.log(`  ${'operation'.padEnd(58)} ${'made'.padStart(7)} ${'minimum'.padStart(8)} ${'extra'.padStart(6)}`);
  for (const op of operations) {
    const made = run.calls[op] ?? 0;
    const min = minimum[op] ?? 0;
    const flag = made !== min ? (made > min ? '  <- extra' : '  <- fewer') : '';
    console.log(`  ${op.padEnd(58)} ${fmt(made).padStart(7)} ${fmt(min).padStart(8)} ${fmt(made - min).padStart(6)}${flag}`);
  }
}

function summaryRow(run: RunResult, minimum: number): string {
  const over = ((run.total - minimum) / minimum) * 100;
  return [
    run.collector.padEnd(10),
    String(run.concurrency).padStart(4),
    fmt(Math.round(run.wallMs)).padStart(9),
    fmt(run.total).padStart(7),
    fmt(minimum).padStart(7),
    `${over.toFixed(1)}%`.padStart(7),
    fmt(run.output.resources.length).padStart(9),
    fmt(run.output.errors.length).padStart(6),
    fmt(run.peakRssMiB).padStart(8),
  ].join(' ');
}

/** Training jobs described must be exactly the in-window ones: none seeded before the edge. */
function trainingJobsOutsideWindow(output: CollectorOutput, seeded: SeededCounts): number {
  const firstInWindow = seeded.trainingJobs - seeded.trainingJobsInWindow;
  return output.resources
    .filter((r) => r.type === SM_TRAINING_JOB_TYPE)
    .filter((r) => Number(/bench-job-(\d+)$/.exec(r.arn)?.[1] ?? -1) < firstInWindow).length;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: '1' },
      'latency-ms': { type: 'string', default: '0' },
      concurrency: { type: 'string', default: '16' },
    },
  });
  const scale = Number(values.scale);
  const latencyMs = Number(values['latency-ms']);
  const concurrency = Number(values.concurrency);
  if (!(scale > 0) || !(latencyMs >= 0) || !(concurrency >= 1)) throw new Error('bad --scale, --latency-ms or --concurrency');

  await ensureEmulatorEnvironment((line) => console.error(line));
  const moto = await startMoto();
  const stopOnSignal = () => {
    moto.kill();
    process.exit(130);
  };
  process.once('SIGINT', stopOnSignal);
  try {
    const seedClients = new AwsClientFactory({
      region: EMULATOR_REGION,
      endpointUrl: moto.url,
      maxAttempts: 3,
      credentials: FAKE_CREDENTIALS,
    });
    const seedStarted = performance.now();
    const emulatorDates = await startDateRewritingProxy(moto.url);
    const large = await seedLargeAccount(seedClients, EMULATOR_ACCOUNT, scale, (line) => console.log(line));
    const generativeClients = new AwsClientFactory({
      region: EMULATOR_REGION,
      endpointUrl: emulatorDates.url,
      maxAttempts: 3,
      credentials: FAKE_CREDENTIALS,
    });
    const seeded: Seeded = { ...large, generative: await seedGenerativeEstate(generativeClients, scale) };
    console.log(
      `seeded scale ${scale} in ${fmt(Math.round(performance.now() - seedStarted))} ms with ${fmt(seedClients.calls.total)} calls`,
    );
    const {
      windowEdge: _edge,
      generative: { windowEdge: _generativeEdge, ...generative },
      ...counts
    } = seeded;
    console.log(`seeded counts: ${JSON.stringify({ ...counts, ...generative })}`);

    const concurrencies = latencyMs > 0 ? [1, concurrency] : [concurrency];
    const runs: RunResult[] = [];
    for (const collector of ORDER) {
      // Only the SageMaker and Bedrock windows depend on the clock: put each edge between its two job batches.
      const edge = { sagemaker: seeded.windowEdge, bedrock: seeded.generative.windowEdge }[collector as string];
      const clock = edge ? () => new Date(edge.getTime() + LOOKBACK_DAYS * DAY_MS) : () => new Date();
      const endpoint = collector === 'bedrock' ? emulatorDates.url : moto.url;
      for (const c of concurrencies) {
        const settings: CollectorSettings = { concurrency: c, lookbackDays: LOOKBACK_DAYS, credentialReportMaxAgeHours: 4 };
        const run = await runOne(collector, endpoint, settings, latencyMs, clock);
        runs.push(run);
        console.log(`collected ${collector} at concurrency ${c} in ${fmt(Math.round(run.wallMs))} ms`);
      }
    }

    const headline = runs.filter((r) => r.concurrency === concurrency);
    for (const run of headline) {
      printCallTable(run, minimumCalls(run.collector, seeded));
      for (const error of run.output.errors.slice(0, 5)) console.log(`  error: ${error.api} ${error.code} ${error.message}`);
      if (run.output.errors.length > 5) console.log(`  ... ${run.output.errors.length - 5} more errors`);
    }

    console.log(`\nSummary (scale ${scale}, injected latency ${latencyMs} ms)`);
    console.log('collector  conc   wall ms   calls minimum    over resources errors  RSS MiB');
    for (const run of runs) console.log(summaryRow(run, sum(minimumCalls(run.collector, seeded))));

    const sageMakerRun = headline.find((r) => r.collector === 'sagemaker');
    if (sageMakerRun) {
      const described = sageMakerRun.calls['SageMakerClient.DescribeTrainingJob'] ?? 0;
      const outside = trainingJobsOutsideWindow(sageMakerRun.output, seeded);
      console.log(
        `\ntraining jobs: ${fmt(seeded.trainingJobs)} seeded, ${fmt(seeded.trainingJobsInWindow)} in the window; ` +
          `DescribeTrainingJob calls ${fmt(described)}; described jobs outside the window: ${outside}`,
      );
    }
    const bedrockRun = headline.find((r) => r.collector === 'bedrock');
    if (bedrockRun) {
      const g = seeded.generative;
      console.log(
        `customization jobs: ${fmt(g.customizationJobs)} seeded, ${fmt(g.customizationJobsInWindow)} in the window; ` +
          `GetModelCustomizationJob calls ${fmt(bedrockRun.calls['BedrockClient.GetModelCustomizationJob'] ?? 0)}; ` +
          `described jobs outside the window: ${customizationJobsOutsideWindow(bedrockRun.output, g)}`,
      );
    }
    const ecrRun = headline.find((r) => r.collector === 'ecr');
    if (ecrRun) {
      const imageCalls = Object.entries(ecrRun.calls)
        .filter(([op]) => /Image/.test(op))
        .reduce((n, [, count]) => n + count, 0);
      console.log(
        `ECR: ${fmt(seeded.generative.repositories)} repositories (${fmt(seeded.generative.mlRepositories)} tagged ML); image-level calls: ${imageCalls}`,
      );
    }
    await emulatorDates.close();
    if (latencyMs > 0) {
      console.log(`\nSpeed-up with ${latencyMs} ms per call, concurrency 1 -> ${concurrency}`);
      let serialTotal = 0;
      let parallelTotal = 0;
      for (const collector of ORDER) {
        const serial = runs.find((r) => r.collector === collector && r.concurrency === 1);
        const parallel = runs.find((r) => r.collector === collector && r.concurrency === concurrency);
        if (!serial || !parallel) continue;
        serialTotal += serial.wallMs;
        parallelTotal += parallel.wallMs;
        console.log(
          `  ${collector.padEnd(10)} ${fmt(Math.round(serial.wallMs)).padStart(9)} ms -> ${fmt(Math.round(parallel.wallMs)).padStart(8)} ms  ${(serial.wallMs / parallel.wallMs).toFixed(1)}x`,
        );
      }
      console.log(
        `  ${'all'.padEnd(10)} ${fmt(Math.round(serialTotal)).padStart(9)} ms -> ${fmt(Math.round(parallelTotal)).padStart(8)} ms  ${(serialTotal / parallelTotal).toFixed(1)}x`,
      );
    }
    console.log('\nEmulator notes:');
    for (const note of EMULATOR_NOTES) console.log(`  ${note}`);
    console.log(`\npeak RSS ${fmt(Math.round(process.resourceUsage().maxRSS / 1024))} MiB (whole benchmark, moto excluded)`);
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    await moto.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
