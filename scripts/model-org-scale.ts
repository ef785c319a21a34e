/**
 * `npx tsx scripts/model-org-scale.ts [--simulate]`: the organisation fan-out on paper (100
 * accounts x 4 regions) and, with --simulate, measured against the emulator with injected
 * latency at 6 accounts x 2 regions, map by map, next to the model's prediction for that
 * scale with moto's own measured time per call added to the injected latency.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { AwsClientFactory } from '../lambdas/aws/clients';
import { startMoto } from '../lambdas/cli/emulator';
import { parseConfig } from '../lambdas/config/schema';
import { readEvidence } from '../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../lambdas/evidence/local-store';
import { COLLECTOR_NAMES, type CollectorName } from '../lambdas/evidence/record';
import { collectMemberTask } from '../lambdas/organization/member-task';
import { planRun } from '../lambdas/organization/plan';
import { CALLS, DEPLOYMENT, PRICES, REFERENCE_ACCOUNT } from './cost-estimate';

/**
 * ASSUMPTIONS, not published guarantees: sustained request rates per member account (and
 * region for regional services) before throttling. AWS documents few of these; they are the
 * order of magnitude seen in practice and what the default maxConcurrency is sized for.
 */
export const ASSUMED_TPS: Record<CollectorName, number> = {
  s3: 50, // bucket-configuration GETs
  iam: 15, // IAM control plane, account-wide (global)
  kms: 50, // KMS read operations share a per-account, per-region quota
  cloudtrail: 5, // DescribeTrails / GetTrailStatus / GetEventSelectors
  sagemaker: 8, // SageMaker List*/Describe*: the hardest throttle, per account and region
  bedrock: 10, // Bedrock control-plane List*/Get*, per account and region
  ecr: 20, // ECR DescribeRepositories / ListTagsForResource, per account and region
  guardduty: 10, // ListDetectors / GetDetector
  securityhub: 10, // DescribeHub / GetEnabledStandards
  inspector: 10, // BatchGetAccountStatus
  backup: 10, // Backup list and get calls
  macie: 10, // Macie configuration reads
};
/** Step Functions Standard state transitions, us-east-1 list price. */
const SFN_PER_1000_TRANSITIONS = 0.025;
/** A child execution of a distributed map: start, task, end. */
const TRANSITIONS_PER_ITEM = 3;
/** AssumeRole + GetCallerIdentity per task. */
const ROLE_CALLS = 2;

export interface Scale {
  accounts: number;
  regions: number;
  /** Resources per account: global ones once, regional ones spread over the regions. */
  perAccount: {
    buckets: number;
    users: number;
    roles: number;
    keys: number;
    notebooks: number;
    trainingJobs: number;
    models: number;
    endpoints: number;
    trails: number;
  };
  maxConcurrency: Record<CollectorName, number>;
  /** Describe calls in flight inside one collector run. */
  collectorConcurrency: number;
  secondsPerCall: number;
  taskOverheadSeconds: number;
  /** Apply ASSUMED_TPS (AWS); the emulator throttles nothing. */
  throttled: boolean;
}

export const ORG_SCALE: Scale = {
  accounts: 100,
  regions: 4,
  perAccount: {
    buckets: REFERENCE_ACCOUNT.buckets,
    users: REFERENCE_ACCOUNT.users,
    roles: REFERENCE_ACCOUNT.roles,
    keys: REFERENCE_ACCOUNT.keys,
    notebooks: REFERENCE_ACCOUNT.notebooks,
    trainingJobs: Math.round((REFERENCE_ACCOUNT.trainingJobsPerMonth * DEPLOYMENT.lookbackDays) / 30),
    models: REFERENCE_ACCOUNT.models,
    endpoints: REFERENCE_ACCOUNT.endpoints,
    trails: REFERENCE_ACCOUNT.trails,
  },
  maxConcurrency: parseConfig({}).organization.maxConcurrency,
  collectorConcurrency: DEPLOYMENT.concurrency,
  secondsPerCall: DEPLOYMENT.secondsPerCall,
  taskOverheadSeconds: DEPLOYMENT.runOverheadSeconds,
  throttled: true,
};

/** API calls of one task (one collector, account, region), from the measured per-resource counts. */
export function callsPerTask(scale: Scale): Record<CollectorName, number> {
  const r = scale.regions;
  const a = scale.perAccount;
  return {
    s3: CALLS.s3.fixed + CALLS.s3.perBucket * a.buckets,
    iam: CALLS.iam.fixed + CALLS.iam.perUser * a.users + CALLS.iam.perRole * a.roles,
    kms: CALLS.kms.fixed + (CALLS.kms.perKey * a.keys) / r,
    cloudtrail: CALLS.cloudtrail.fixed + CALLS.cloudtrail.perTrail * a.trails,
    sagemaker:
      CALLS.sagemaker.fixed +
      (CALLS.sagemaker.perNotebook * a.notebooks +
        CALLS.sagemaker.perTrainingJob * a.trainingJobs +
        CALLS.sagemaker.perModel * a.models +
        CALLS.sagemaker.perEndpoint * a.endpoints) /
        r,
    // The modelled estate holds no Bedrock resources or ECR repositories: their listings only.
    bedrock: CALLS.bedrock.fixed,
    ecr: CALLS.ecr.fixed,
    guardduty: CALLS.guardduty.fixed,
    securityhub: CALLS.securityhub.fixed,
    inspector: CALLS.inspector.fixed,
    backup: CALLS.backup.fixed,
    macie: CALLS.macie.fixed,
  };
}

export interface CollectorModel {
  collector: CollectorName;
  tasks: number;
  callsPerTask: number;
  totalCalls: number;
  /** Calls a second one task achieves: collector concurrency over latency, capped by the assumed TPS. */
  taskCallRate: number;
  taskSeconds: number;
  waves: number;
  mapSeconds: number;
}

export function modelRun(scale: Scale): {
  collectors: CollectorModel[];
  seconds: number;
  costPerRunUsd: number;
  costPerMonthUsd: number;
} {
  const calls = callsPerTask(scale);
  const collectors = COLLECTOR_NAMES.map((collector) => {
    const global = collector === 's3' || collector === 'iam';
    const tasks = scale.accounts * (global ? 1 : scale.regions);
    // Listing calls run one after another at the call latency; per-resource describes run
    // collectorConcurrency at a time, capped by the assumed throttle (none against the emulator).
    const taskCallRate = Math.min(
      scale.collectorConcurrency / scale.secondsPerCall,
      scale.throttled ? ASSUMED_TPS[collector] : Infinity,
    );
    const sequential = ROLE_CALLS + CALLS[collector].fixed;
    const taskSeconds =
      scale.taskOverheadSeconds +
      sequential * scale.secondsPerCall +
      Math.max(0, calls[collector] - CALLS[collector].fixed) / taskCallRate;
    const waves = Math.ceil(tasks / scale.maxConcurrency[collector]);
    return {
      collector,
      tasks,
      callsPerTask: Math.round(calls[collector]),
      totalCalls: Math.round(tasks * (calls[collector] + ROLE_CALLS)),
      taskCallRate,
      taskSeconds,
      waves,
      mapSeconds: waves * taskSeconds,
    };
  });
  const seconds = Math.max(...collectors.map((c) => c.mapSeconds));
  const tasks = collectors.reduce((n, c) => n + c.tasks, 0);
  const lambdaGbSeconds = collectors.reduce((n, c) => n + c.tasks * c.taskSeconds, 0) * DEPLOYMENT.collectorMemoryGb;
  const costPerRunUsd =
    lambdaGbSeconds * PRICES.lambdaArmPerGbSecond +
    (tasks / 1e6) * PRICES.lambdaPerMillionRequests +
    ((tasks * TRANSITIONS_PER_ITEM) / 1000) * SFN_PER_1000_TRANSITIONS +
    (tasks / 1000) * PRICES.s3PutPer1000 +
    (tasks / 10_000) * PRICES.kmsSymmetricPer10000;
  return { collectors, seconds, costPerRunUsd, costPerMonthUsd: costPerRunUsd * 4 * 30 };
}

/** What one map of the simulation took, and the API calls its tasks made (from their evidence records). */
interface MeasuredMap {
  mapSeconds: number;
  callsPerTask: number;
}

function table(scale: Scale, measured?: Record<CollectorName, MeasuredMap>): string {
  const model = modelRun(scale);
  const rows = model.collectors.map((c) => {
    const m = measured?.[c.collector];
    const measuredColumns = m
      ? ` | ${m.callsPerTask.toFixed(1)} | ${m.mapSeconds.toFixed(2)} | ${(m.mapSeconds / c.mapSeconds).toFixed(2)}`
      : '';
    return `| ${c.collector} | ${c.tasks} | ${c.callsPerTask} | ${c.totalCalls} | ${ASSUMED_TPS[c.collector]} | ${scale.maxConcurrency[c.collector]} | ${c.taskSeconds.toFixed(2)} | ${c.waves} | ${c.mapSeconds.toFixed(2)}${measuredColumns} |`;
  });
  const measuredHeader = measured ? ' | calls/task (measured) | map s (measured) | measured/model' : '';
  const run = measured
    ? `Maps run one after another: model ${model.collectors.reduce((n, c) => n + c.mapSeconds, 0).toFixed(2)} s, measured ${Object.values(
        measured,
      )
        .reduce((n, m) => n + m.mapSeconds, 0)
        .toFixed(2)} s in all.`
    : `Run: ${model.seconds.toFixed(0)} s (${(model.seconds / 60).toFixed(1)} min, the slowest map; maps run in parallel); cost ${model.costPerRunUsd.toFixed(4)} USD a run, ${model.costPerMonthUsd.toFixed(2)} USD a month at rate(6 hours).`;
  return [
    `${scale.accounts} accounts x ${scale.regions} regions, ${(scale.secondsPerCall * 1000).toFixed(1)} ms a call:`,
    `| collector | tasks | calls/task | calls | assumed TPS | maxConcurrency | s/task | waves | map s (model)${measuredHeader} |`,
    `|---|---|---|---|---|---|---|---|---|${measured ? '---|---|---|' : ''}`,
    ...rows,
    run,
  ].join('\n');
}

/** Sequential probe calls timed; the first few (connection set-up, moto's lazy imports) are not counted. */
const PROBE_CALLS = 200;
const PROBE_WARM_UP = 10;

/**
 * Moto's own time per call (HTTP round trip, request parsing, its backend), measured without
 * injected latency on a cheap read of a seeded account: the simulation's calls take this on
 * top of the injected latency, so the model must count it.
 */
async function emulatorSecondsPerCall(clients: AwsClientFactory, region: string): Promise<number> {
  const kms = clients.kms(region);
  for (let i = 0; i < PROBE_WARM_UP; i++) await kms.send(new ListKeysCommand({}));
  const started = performance.now();
  for (let i = 0; i < PROBE_CALLS; i++) await kms.send(new ListKeysCommand({}));
  return (performance.now() - started) / 1000 / PROBE_CALLS;
}

/**
 * 6 accounts x 2 regions against moto with injected latency. Each collector's map runs alone,
 * one after another, with p-limit at its maxConcurrency: one emulator on a small machine
 * cannot stand in for five maps running side by side against five services.
 */
async function simulate(): Promise<void> {
  const latencyMs = 50;
  const regions = ['us-east-1', 'eu-west-1'];
  const perAccount = {
    buckets: 4,
    users: 0,
    roles: 0,
    keys: 2,
    notebooks: 0,
    trainingJobs: 0,
    models: 0,
    endpoints: 0,
    trails: 0,
  };
  const moto = await startMoto();
  const dir = await mkdtemp(join(tmpdir(), 'soc2-org-sim-'));
  try {
    const base = new AwsClientFactory({
      region: 'us-east-1',
      endpointUrl: moto.url,
      maxAttempts: 1,
      credentials: async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' }),
    });
    const accounts = Array.from({ length: 6 }, (_, i) => String(100000000001 + i));
    for (const account of accounts) {
      const admin = base.assumingRole({ roleArn: `arn:aws:iam::${account}:role/Admin`, sessionName: 'seed' });
      for (let b = 0; b < perAccount.buckets; b++)
        await admin.s3().send(new CreateBucketCommand({ Bucket: `sim-${account}-${b}` }));
      for (const region of regions)
        for (let k = 0; k < perAccount.keys / regions.length; k++) await admin.kms(region).send(new CreateKeyCommand({}));
    }
    const motoSeconds = await emulatorSecondsPerCall(
      base.assumingRole({ roleArn: `arn:aws:iam::${accounts[0]}:role/Admin`, sessionName: 'probe' }),
      regions[0]!,
    );
    const scale: Scale = {
      accounts: accounts.length,
      regions: regions.length,
      perAccount,
      maxConcurrency: {
        s3: 2,
        iam: 1,
        kms: 2,
        cloudtrail: 3,
        sagemaker: 2,
        bedrock: 2,
        ecr: 2,
        guardduty: 2,
        securityhub: 2,
        inspector: 2,
        backup: 2,
        macie: 2,
      },
      collectorConcurrency: 16,
      secondsPerCall: latencyMs / 1000 + motoSeconds,
      taskOverheadSeconds: 0,
      throttled: false,
    };
    const config = parseConfig({
      regions,
      organization: { enabled: true, organizationId: 'o-a1b2c3d4e5', externalId: 'sim', accounts },
    });
    const clients = new AwsClientFactory({ ...base.settings, injectedLatencyMs: latencyMs });
    const store = await LocalDirectoryStore.open(join(dir, 'evidence'));
    const plan = planRun(accounts, regions);
    const measured = {} as Record<CollectorName, MeasuredMap>;
    for (const collector of COLLECTOR_NAMES) {
      const limit = pLimit(scale.maxConcurrency[collector]);
      const mapStarted = performance.now();
      const results = await Promise.all(
        plan[collector].map((task) =>
          limit(() =>
            collectMemberTask(task, {
              config,
              clients,
              store,
              partition: 'aws',
              homeRegion: 'us-east-1',
              clock: () => new Date(),
            }),
          ),
        ),
      );
      const mapSeconds = (performance.now() - mapStarted) / 1000;
      const records = await Promise.all(results.map((r) => readEvidence(store, r.key!)));
      const calls = records.reduce((n, record) => n + (record?.calls ?? 0), 0);
      measured[collector] = { mapSeconds, callsPerTask: calls / results.length };
    }
    console.log(
      `\nSimulation against the emulator: ${latencyMs} ms injected per call + ${(motoSeconds * 1000).toFixed(1)} ms moto service time (${PROBE_CALLS} sequential kms:ListKeys without injected latency); calls/task (model) from the measured per-resource table:`,
    );
    console.log(table(scale, measured));
  } finally {
    await moto.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  console.log('Assumed sustained TPS per member account (and region for regional services):', ASSUMED_TPS);
  console.log(table(ORG_SCALE));
  if (process.argv.includes('--simulate'))
    simulate().catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
