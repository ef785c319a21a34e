/**
 * Seeds a large synthetic account into the emulator for bench-collect: every resource is
 * created through the SDK with many calls in flight, and the counts are returned so the
 * benchmark can work out the fewest API calls a collector could have made.
 */

import { CreateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutBucketTaggingCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateNotebookInstanceCommand,
  CreateNotebookInstanceLifecycleConfigCommand,
  CreateTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import type { AwsClientFactory } from '../lambdas/aws/clients';
import { forEachBounded } from '../lambdas/integrity/store-objects';

/** issue 3's large account at scale 1. */
export const FULL_SCALE = {
  buckets: 1_000,
  users: 2_000,
  keys: 300,
  notebooks: 500,
  trainingJobs: 5_000,
  trainingJobsInWindow: 500,
  endpoints: 200,
} as const;

/** What was seeded: the inputs of the minimum-call arithmetic. */
export interface SeededCounts {
  buckets: number;
  users: number;
  usersWithAccessKey: number;
  usersWithInlinePolicy: number;
  groups: number;
  roles: number;
  customerPolicies: number;
  keys: number;
  aliases: number;
  trails: number;
  notebooks: number;
  lifecycleConfigs: number;
  trainingJobs: number;
  trainingJobsInWindow: number;
  models: number;
  endpointConfigs: number;
  endpoints: number;
  alarms: number;
  /** A moment between the old and the new training jobs: the look-back window's edge. */
  windowEdge: Date;
}

const SEED_CONCURRENCY = 32;
const IMAGE = '763104351884.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7-1';
const READ_ONLY_POLICY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
/** moto stamps CreationTime with its own clock: this gap separates the two batches of jobs. */
const WINDOW_GAP_MS = 2_000;

const range = (count: number) => Array.from({ length: count }, (_, i) => i);
const pad = (i: number) => String(i).padStart(5, '0');
const scaled = (full: number, scale: number) => Math.max(1, Math.round(full * scale));

async function inParallel(count: number, create: (i: number) => Promise<unknown>): Promise<void> {
  await forEachBounded(range(count), SEED_CONCURRENCY, async (i) => {
    await create(i);
  });
}

export async function seedLargeAccount(
  clients: AwsClientFactory,
  account: string,
  scale: number,
  log: (line: string) => void,
): Promise<SeededCounts> {
  const s3 = clients.s3();
  const iam = clients.iam();
  const kms = clients.kms();
  const sageMaker = clients.sageMaker();
  const buckets = scaled(FULL_SCALE.buckets, scale);
  const users = scaled(FULL_SCALE.users, scale);
  const keys = scaled(FULL_SCALE.keys, scale);
  const notebooks = scaled(FULL_SCALE.notebooks, scale);
  const trainingJobsInWindow = scaled(FULL_SCALE.trainingJobsInWindow, scale);
  const trainingJobs = Math.max(trainingJobsInWindow + 1, scaled(FULL_SCALE.trainingJobs, scale));
  const endpoints = scaled(FULL_SCALE.endpoints, scale);
  const groups = 20;
  const roles = 50;
  const customerPolicies = 50;
  const lifecycleConfigs = 10;
  const trails = 2;
  const alarms = Math.ceil(endpoints / 2);
  const timed = async (what: string, seed: () => Promise<void>) => {
    const started = Date.now();
    await seed();
    log(`seeded ${what} in ${Date.now() - started} ms`);
  };

  await timed(`${buckets} buckets`, () =>
    inParallel(buckets, async (i) => {
      const Bucket = `bench-bucket-${pad(i)}`;
      await s3.send(new CreateBucketCommand({ Bucket }));
      // A quarter of the buckets carry configuration, so the collector reads both answers.
      if (i % 4 === 0) {
        await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
        await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'team', Value: 'ml' }] } }));
      }
    }),
  );

  await timed(`${groups} groups, ${roles} roles, ${customerPolicies} policies`, async () => {
    await inParallel(groups, async (i) => {
      await iam.send(new CreateGroupCommand({ GroupName: `bench-group-${pad(i)}` }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: `bench-group-${pad(i)}`, PolicyArn: READ_ONLY_POLICY }));
    });
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    await inParallel(roles, async (i) => {
      await iam.send(new CreateRoleCommand({ RoleName: `bench-role-${pad(i)}`, AssumeRolePolicyDocument: trust }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: `bench-role-${pad(i)}`, PolicyArn: READ_ONLY_POLICY }));
    });
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bench-bucket-00000/*' }],
    });
    await inParallel(customerPolicies, (i) =>
      iam.send(new CreatePolicyCommand({ PolicyName: `bench-policy-${pad(i)}`, PolicyDocument: document })),
    );
  });

  let usersWithAccessKey = 0;
  let usersWithInlinePolicy = 0;
  await timed(`${users} users`, () =>
    inParallel(users, async (i) => {
      const UserName = `bench-user-${pad(i)}`;
      await iam.send(new CreateUserCommand({ UserName }));
      if (i % 4 === 0) {
        usersWithAccessKey += 1;
        await iam.send(new CreateAccessKeyCommand({ UserName }));
        await iam.send(new AttachUserPolicyCommand({ UserName, PolicyArn: READ_ONLY_POLICY }));
      }
      if (i % 10 === 0) {
        usersWithInlinePolicy += 1;
        await iam.send(
          new PutUserPolicyCommand({
            UserName,
            PolicyName: 'inline',
            PolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'sagemaker:List*', Resource: '*' }],
            }),
          }),
        );
      }
    }),
  );
  // A fresh credential report that every collection in the run reuses, as the schedule would.
  await iam.send(new GenerateCredentialReportCommand({}));
  await iam.send(new GetCredentialReportCommand({}));

  let aliases = 0;
  await timed(`${keys} keys`, () =>
    inParallel(keys, async (i) => {
      const key = await kms.send(new CreateKeyCommand({ Description: `bench key ${i}` }));
      const KeyId = key.KeyMetadata?.KeyId ?? '';
      if (i % 2 === 0) await kms.send(new EnableKeyRotationCommand({ KeyId }));
      if (i % 5 === 0) {
        aliases += 1;
        await kms.send(new CreateAliasCommand({ AliasName: `alias/bench-${pad(i)}`, TargetKeyId: KeyId }));
      }
    }),
  );

  await timed(`${trails} trails`, () =>
    inParallel(trails, (i) =>
      clients
        .cloudTrail()
        .send(new CreateTrailCommand({ Name: `bench-trail-${i}`, S3BucketName: 'bench-bucket-00000', IsMultiRegionTrail: true })),
    ),
  );

  const roleArn = `arn:aws:iam::${account}:role/bench-role-00000`;
  await timed(`${notebooks} notebooks, ${lifecycleConfigs} lifecycle configs`, async () => {
    await inParallel(lifecycleConfigs, (i) =>
      sageMaker.send(
        new CreateNotebookInstanceLifecycleConfigCommand({
          NotebookInstanceLifecycleConfigName: `bench-lifecycle-${pad(i)}`,
          OnStart: [{ Content: Buffer.from('#!/bin/bash\npip install -q pandas\n').toString('base64') }],
        }),
      ),
    );
    await inParallel(notebooks, (i) =>
      sageMaker.send(
        new CreateNotebookInstanceCommand({
          NotebookInstanceName: `bench-notebook-${pad(i)}`,
          InstanceType: 'ml.t3.medium',
          RoleArn: roleArn,
          LifecycleConfigName: `bench-lifecycle-${pad(i % lifecycleConfigs)}`,
          DirectInternetAccess: i % 3 === 0 ? 'Enabled' : 'Disabled',
        }),
      ),
    );
  });

  const createJob = (i: number) =>
    sageMaker.send(
      new CreateTrainingJobCommand({
        TrainingJobName: `bench-job-${pad(i)}`,
        RoleArn: roleArn,
        AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
        HyperParameters: { max_depth: '6' },
        OutputDataConfig: { S3OutputPath: `s3://bench-bucket-${pad(i % buckets)}/models/` },
        ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      }),
    );
  const oldJobs = trainingJobs - trainingJobsInWindow;
  let windowEdge = new Date();
  await timed(`${trainingJobs} training jobs (${trainingJobsInWindow} after the window edge)`, async () => {
    await inParallel(oldJobs, createJob);
    await new Promise((r) => setTimeout(r, WINDOW_GAP_MS / 2));
    windowEdge = new Date();
    await new Promise((r) => setTimeout(r, WINDOW_GAP_MS / 2));
    await inParallel(trainingJobsInWindow, (i) => createJob(oldJobs + i));
  });

  await timed(`${endpoints} models, endpoint configs and endpoints`, async () => {
    await inParallel(endpoints, async (i) => {
      const name = `bench-model-${pad(i)}`;
      await sageMaker.send(
        new CreateModelCommand({
          ModelName: name,
          ExecutionRoleArn: roleArn,
          PrimaryContainer: { Image: IMAGE, ModelDataUrl: `s3://bench-bucket-${pad(i % buckets)}/models/model.tar.gz` },
        }),
      );
      await sageMaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: `${name}-config`,
          ProductionVariants: [{ VariantName: 'primary', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }],
        }),
      );
      await sageMaker.send(
        new CreateEndpointCommand({ EndpointName: `bench-endpoint-${pad(i)}`, EndpointConfigName: `${name}-config` }),
      );
    });
    await inParallel(alarms, (i) =>
      clients.cloudWatch().send(
        new PutMetricAlarmCommand({
          AlarmName: `bench-endpoint-${pad(i)}-errors`,
          Namespace: 'AWS/SageMaker',
          MetricName: 'Invocation5XXErrors',
          Dimensions: [
            { Name: 'EndpointName', Value: `bench-endpoint-${pad(i)}` },
            { Name: 'VariantName', Value: 'primary' },
          ],
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        }),
      ),
    );
  });

  return {
    buckets,
    users,
    usersWithAccessKey,
    usersWithInlinePolicy,
    groups,
    roles,
    customerPolicies,
    keys,
    aliases,
    trails,
    notebooks,
    lifecycleConfigs,
    trainingJobs,
    trainingJobsInWindow,
    models: endpoints,
    endpointConfigs: endpoints,
    endpoints,
    alarms,
    windowEdge,
  };
}
