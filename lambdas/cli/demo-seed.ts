import { randomUUID } from 'node:crypto';
import { CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { EnableCommand } from '@aws-sdk/client-inspector2';
import { CreateKeyCommand, DisableKeyRotationCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateNotebookInstanceCommand,
  CreateNotebookInstanceLifecycleConfigCommand,
  CreateTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import type { AwsClientFactory } from '../aws/clients';
import { seedGenerativeAi } from './demo-seed-generative';

/** A misconfiguration the demo plants on purpose: the report must show `check` FAIL on `resource`. */
export interface PlantedMisconfiguration {
  check: string;
  resource: string;
  /** What is wrong, in words a newcomer understands. */
  description: string;
}

export interface SeededAccount {
  account: string;
  region: string;
  planted: PlantedMisconfiguration[];
  /** A key whose rotation is on: the demo's change event turns it off. */
  rotatingKeyArn: string;
  /** Who makes the demo's change (a console user of the seeded account). */
  changeMakerArn: string;
}

const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';
/** AWS's documented example key pair: looks real to a scanner, grants nothing anywhere. */
const EXAMPLE_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const EXAMPLE_SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EXAMPLE_TRACKING_TOKEN = 'demo-tracking-token-0f3c9a';
const EXAMPLE_DATABASE_PASSWORD = 'demo-db-password-7d41e2';

/** Secret values the seed plants in scripts, hyper-parameters and model environments: none may reach the store. */
export const PLANTED_SECRETS = [EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_KEY, EXAMPLE_TRACKING_TOKEN, EXAMPLE_DATABASE_PASSWORD];
const IMAGE_REGISTRY = '763104351884.dkr.ecr.us-east-1.amazonaws.com';

export const DEMO_BUCKETS = {
  trainingData: 'acme-ml-training-data',
  modelArtifacts: 'acme-ml-model-artifacts',
  trailLogs: 'acme-cloudtrail-logs',
} as const;

const trustPolicy = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });

/**
 * Seeds a small ML account through the AWS SDK: a churn model trained on one bucket and
 * served from another, the notebook it was built in, keys, people and a trail. Most of it
 * is configured well; what is not is returned in `planted`, so tests can hold the report to it.
 */
export async function seedDemoAccount(clients: AwsClientFactory, account: string): Promise<SeededAccount> {
  const region = clients.settings.region;
  const planted: PlantedMisconfiguration[] = [];
  const s3 = clients.s3();
  const iam = clients.iam();
  const kms = clients.kms(region);
  const sageMaker = clients.sageMaker(region);

  // Keys: the training-data key rotates; a legacy key was created before anyone cared.
  const dataKey = await kms.send(new CreateKeyCommand({ Description: 'training data encryption' }));
  const dataKeyArn = dataKey.KeyMetadata!.Arn!;
  await kms.send(new EnableKeyRotationCommand({ KeyId: dataKeyArn }));
  const legacyKey = await kms.send(new CreateKeyCommand({ Description: 'legacy feature store exports' }));
  planted.push({
    check: 'kms.rotation_enabled',
    resource: legacyKey.KeyMetadata!.Arn!,
    description: 'KMS key with automatic rotation off',
  });

  // Buckets: training data done right; model artifacts with S3-managed keys and no versioning;
  // the trail's log bucket left as created: no public access block, versioning or TLS-only policy.
  for (const bucket of Object.values(DEMO_BUCKETS)) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    if (bucket === DEMO_BUCKETS.trailLogs) continue;
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
  }
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: DEMO_BUCKETS.trainingData,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: dataKeyArn } }],
      },
    }),
  );
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: DEMO_BUCKETS.trainingData,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  await s3.send(
    new PutBucketTaggingCommand({
      Bucket: DEMO_BUCKETS.trainingData,
      Tagging: { TagSet: [{ Key: 'DataClassification', Value: 'confidential' }] },
    }),
  );
  // Retention: old versions of training data move to Glacier after 30 days (noncurrent versions count).
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: DEMO_BUCKETS.trainingData,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'archive-old-versions',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: 'GLACIER' }],
          },
        ],
      },
    }),
  );
  // Security services: Amazon Inspector scans the ECR images; GuardDuty was never turned on in
  // the region (nothing to seed: no detector) and no bucket is in an AWS Backup plan.
  await clients.inspector(region).send(new EnableCommand({ accountIds: [account], resourceTypes: ['ECR'] }));
  planted.push({
    check: 'guardduty.s3_protection',
    resource: `arn:aws:iam::${account}:root`,
    description: 'GuardDuty never turned on in the region (no S3 protection)',
  });

  const modelBucketArn = `arn:aws:s3:::${DEMO_BUCKETS.modelArtifacts}`;
  planted.push(
    { check: 's3.ml_bucket_lifecycle', resource: modelBucketArn, description: 'model bucket without a retention lifecycle' },
    { check: 's3.ml_bucket_kms', resource: modelBucketArn, description: 'model bucket without KMS default encryption' },
    { check: 's3.ml_bucket_versioning', resource: modelBucketArn, description: 'model bucket without versioning' },
    {
      check: 'backup.ml_data_protected',
      resource: modelBucketArn,
      description: 'model bucket in no backup plan, not replicated',
    },
  );
  const trailBucketArn = `arn:aws:s3:::${DEMO_BUCKETS.trailLogs}`;
  planted.push(
    {
      check: 'ct.log_bucket_protected',
      resource: trailBucketArn,
      description: 'CloudTrail log bucket without public access block, versioning or TLS-only policy',
    },
    { check: 's3.public_access_blocked', resource: trailBucketArn, description: 'bucket without a public access block' },
  );

  // People: a data scientist signs in without MFA; CI deploys as a user holding AdministratorAccess.
  await iam.send(
    new UpdateAccountPasswordPolicyCommand({
      MinimumPasswordLength: 14,
      PasswordReusePrevention: 24,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
    }),
  );
  const scientist = await iam.send(new CreateUserCommand({ UserName: 'dana.scientist' }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'dana.scientist', Password: 'Demo-only-password-1!' }));
  planted.push({
    check: 'iam.console_users_mfa',
    resource: scientist.User!.Arn!,
    description: 'console user without MFA',
  });
  const deployer = await iam.send(new CreateUserCommand({ UserName: 'ci-deployer' }));
  await iam.send(new CreateAccessKeyCommand({ UserName: 'ci-deployer' }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'ci-deployer', PolicyArn: ADMINISTRATOR_ACCESS }));
  planted.push({
    check: 'iam.no_users_with_admin',
    resource: deployer.User!.Arn!,
    description: 'access-key user with AdministratorAccess attached directly',
  });
  // A platform bot holds a home-made "everything" policy: administrator too, though not AdministratorAccess.
  const everything = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'platform-everything',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*:*', Resource: '*' }],
      }),
    }),
  );
  const bot = await iam.send(new CreateUserCommand({ UserName: 'ml-platform-bot' }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'ml-platform-bot', PolicyArn: everything.Policy!.Arn! }));
  planted.push(
    {
      check: 'iam.no_users_with_admin',
      resource: bot.User!.Arn!,
      description: 'user with a customer managed *:* policy attached directly',
    },
    {
      check: 'iam.no_star_admin_policies',
      resource: everything.Policy!.Arn!,
      description: 'customer managed policy allowing *:* on *',
    },
  );

  // The role SageMaker runs as can do anything in the account.
  const role = await iam.send(
    new CreateRoleCommand({ RoleName: 'sagemaker-execution', AssumeRolePolicyDocument: trustPolicy('sagemaker.amazonaws.com') }),
  );
  const roleArn = role.Role!.Arn!;
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'sagemaker-execution', PolicyArn: ADMINISTRATOR_ACCESS }));
  planted.push(
    {
      check: 'iam.sagemaker_roles_scoped',
      resource: roleArn,
      description: 'role trusted by SageMaker with AdministratorAccess',
    },
    {
      check: 'iam.service_role_trust_scoped',
      resource: roleArn,
      description: 'SageMaker trust without an aws:SourceAccount or aws:SourceArn condition',
    },
  );

  // A multi-region trail with log file validation (a control that passes) that delivers to no CloudWatch Logs group.
  const trail = await clients.cloudTrail(region).send(
    new CreateTrailCommand({
      Name: 'organization-trail',
      S3BucketName: DEMO_BUCKETS.trailLogs,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KmsKeyId: dataKeyArn,
    }),
  );
  await clients.cloudTrail(region).send(new StartLoggingCommand({ Name: 'organization-trail' }));
  planted.push({
    check: 'ct.cloudwatch_logs',
    resource: trail.TrailARN!,
    description: 'trail that delivers to no CloudWatch Logs group',
  });

  // The notebook the model was developed in: open to the internet, a credential in its start script.
  const startScript = [
    '#!/bin/bash',
    'set -e',
    `export AWS_ACCESS_KEY_ID=${EXAMPLE_ACCESS_KEY_ID}`,
    `export AWS_SECRET_ACCESS_KEY=${EXAMPLE_SECRET_KEY}`,
    'sudo -u ec2-user -i conda install -y -n python3 xgboost',
    '',
  ].join('\n');
  const lifecycle = await sageMaker.send(
    new CreateNotebookInstanceLifecycleConfigCommand({
      NotebookInstanceLifecycleConfigName: 'install-conda-packages',
      OnStart: [{ Content: Buffer.from(startScript).toString('base64') }],
    }),
  );
  planted.push({
    check: 'sm.notebook.lifecycle_no_secrets',
    resource: lifecycle.NotebookInstanceLifecycleConfigArn!,
    description: 'notebook start script containing an access key',
  });
  const notebook = await sageMaker.send(
    new CreateNotebookInstanceCommand({
      NotebookInstanceName: 'churn-research',
      InstanceType: 'ml.t3.medium',
      RoleArn: roleArn,
      LifecycleConfigName: 'install-conda-packages',
      DirectInternetAccess: 'Enabled',
      KmsKeyId: dataKeyArn,
      PlatformIdentifier: 'notebook-al2023-v1',
    }),
  );
  planted.push({
    check: 'sm.notebook.no_direct_internet',
    resource: notebook.NotebookInstanceArn!,
    description: 'notebook with direct internet access',
  });

  // Training reads the training bucket and writes the model bucket; the model is served from it.
  const trainingJob = await sageMaker.send(
    new CreateTrainingJobCommand({
      TrainingJobName: 'churn-xgboost-2026-11-20',
      RoleArn: roleArn,
      AlgorithmSpecification: { TrainingImage: `${IMAGE_REGISTRY}/xgboost:1.7-1`, TrainingInputMode: 'File' },
      // A tracking token passed as a hyper-parameter, as teams do: reported by key, its value never written.
      HyperParameters: { max_depth: '6', eta: '0.2', num_round: '200', wandb_api_token: EXAMPLE_TRACKING_TOKEN },
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: {
            S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${DEMO_BUCKETS.trainingData}/churn/2026-11/` },
          },
        },
      ],
      OutputDataConfig: { S3OutputPath: `s3://${DEMO_BUCKETS.modelArtifacts}/churn/`, KmsKeyId: dataKeyArn },
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: dataKeyArn },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: true,
    }),
  );
  const model = await sageMaker.send(
    new CreateModelCommand({
      ModelName: 'churn-xgboost',
      ExecutionRoleArn: roleArn,
      PrimaryContainer: {
        Image: `${IMAGE_REGISTRY}/xgboost:1.7-1`,
        ModelDataUrl: `s3://${DEMO_BUCKETS.modelArtifacts}/churn/churn-xgboost-2026-11-20/output/model.tar.gz`,
        Environment: { FEATURE_STORE_DB_PASSWORD: EXAMPLE_DATABASE_PASSWORD, LOG_LEVEL: 'info' },
      },
    }),
  );
  planted.push(
    {
      check: 'sm.training.no_secrets',
      resource: trainingJob.TrainingJobArn!,
      description: 'training job with a tracking token in its hyper-parameters',
    },
    {
      check: 'sm.model.no_secrets',
      resource: model.ModelArn!,
      description: 'model with a database password in its container environment',
    },
  );
  await sageMaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: 'churn-xgboost-config',
      KmsKeyId: dataKeyArn,
      ProductionVariants: [
        { VariantName: 'primary', ModelName: 'churn-xgboost', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
    }),
  );
  const endpoint = await sageMaker.send(
    new CreateEndpointCommand({ EndpointName: 'churn-scoring', EndpointConfigName: 'churn-xgboost-config' }),
  );
  planted.push(
    {
      check: 'sm.endpoint.multi_instance',
      resource: endpoint.EndpointArn!,
      description: 'production endpoint on a single instance',
    },
    { check: 'sm.endpoint.alarms', resource: endpoint.EndpointArn!, description: 'production endpoint without alarms' },
  );

  planted.push(...(await seedGenerativeAi(clients, account, roleArn, { key: 'soc2-ml:scope', value: 'ml' })));

  return { account, region, planted, rotatingKeyArn: dataKeyArn, changeMakerArn: scientist.User!.Arn! };
}

/**
 * The demo's change: the data scientist turns off rotation of the training-data key. Makes
 * the call against the account, and returns the EventBridge "AWS API Call via CloudTrail"
 * event that AWS would deliver for it (the deployed change path's input).
 */
export async function disableKeyRotation(clients: AwsClientFactory, seed: SeededAccount, now: Date): Promise<unknown> {
  await clients.kms(seed.region).send(new DisableKeyRotationCommand({ KeyId: seed.rotatingKeyArn }));
  const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const userName = seed.changeMakerArn.split('/').pop();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.kms',
    account: seed.account,
    time,
    region: seed.region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDADEMOEXAMPLE000001',
        arn: seed.changeMakerArn,
        accountId: seed.account,
        userName,
      },
      eventTime: time,
      eventSource: 'kms.amazonaws.com',
      eventName: 'DisableKeyRotation',
      awsRegion: seed.region,
      sourceIPAddress: '203.0.113.24',
      userAgent: 'aws-cli/2.22.0',
      requestParameters: { keyId: seed.rotatingKeyArn },
      responseElements: null,
      requestID: randomUUID(),
      eventID: randomUUID(),
      readOnly: false,
      resources: [{ accountId: seed.account, type: 'AWS::KMS::Key', ARN: seed.rotatingKeyArn }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: seed.account,
      eventCategory: 'Management',
    },
  };
}
