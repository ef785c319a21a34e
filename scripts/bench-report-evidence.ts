/**
 * Synthetic evidence for bench-report: full snapshots of every collector over a large estate,
 * with normalised configurations shaped by lambdas/evidence/resources/*.ts so every check runs
 * its real judgement (a mix of PASS, FAIL and NOT_APPLICABLE, with references linking SageMaker
 * resources to buckets and keys as the ML scope and lineage checks expect).
 */
import { type CollectorName, type EvidenceRecord, type EvidenceResource, GLOBAL_REGION } from '../lambdas/evidence/record';
import { CLOUDTRAIL_TRAIL_TYPE, type CloudTrailTrailConfiguration } from '../lambdas/evidence/resources/cloudtrail';
import {
  IAM_ACCOUNT_TYPE,
  IAM_ADMINISTRATORS_TYPE,
  IAM_GROUP_TYPE,
  IAM_MANAGED_POLICY_TYPE,
  IAM_ROLE_TYPE,
  IAM_USER_TYPE,
  type IamAccountConfiguration,
  type IamAdministratorsConfiguration,
  type IamGroupConfiguration,
  type IamManagedPolicyConfiguration,
  type IamRoleConfiguration,
  type IamUserConfiguration,
  iamAccountArn,
  iamAdministratorsArn,
} from '../lambdas/evidence/resources/iam';
import { KMS_KEY_TYPE, type KmsKeyConfiguration } from '../lambdas/evidence/resources/kms';
import type { ResourceReferences } from '../lambdas/evidence/resources/references';
import {
  accountPublicAccessBlockArn,
  bucketArn,
  S3_ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE,
  S3_BUCKET_TYPE,
  type S3BucketConfiguration,
} from '../lambdas/evidence/resources/s3';
import {
  SM_DOMAIN_TYPE,
  SM_ENDPOINT_CONFIG_TYPE,
  SM_ENDPOINT_TYPE,
  SM_FEATURE_GROUP_TYPE,
  SM_MODEL_PACKAGE_TYPE,
  SM_MODEL_TYPE,
  SM_MONITORING_JOB_DEFINITION_TYPE,
  SM_MONITORING_SCHEDULE_TYPE,
  SM_NOTEBOOK_INSTANCE_TYPE,
  SM_NOTEBOOK_LIFECYCLE_CONFIG_TYPE,
  SM_PROCESSING_JOB_TYPE,
  SM_TRAINING_JOB_TYPE,
  type SmDomain,
  type SmEndpoint,
  type SmEndpointConfig,
  type SmFeatureGroup,
  type SmModel,
  type SmModelPackage,
  type SmMonitoringJobDefinition,
  type SmMonitoringSchedule,
  type SmNotebookInstance,
  type SmNotebookLifecycleConfig,
  type SmProcessingJob,
  type SmTrainingJob,
} from '../lambdas/evidence/resources/sagemaker';
import type { StoredEvidence } from '../lambdas/report/snapshots';

export const BENCH_ACCOUNT = '123456789012';
export const BENCH_REGIONS = ['us-east-1', 'eu-west-1'];

/** Share of the estate per resource kind; the rest are account-level resources and trails. */
const SHARES = {
  buckets: 0.2,
  users: 0.25,
  roles: 0.04,
  policies: 0.03,
  groups: 0.005,
  keys: 0.05,
  notebooks: 0.05,
  lifecycleConfigs: 0.005,
  domains: 0.002,
  trainingJobs: 0.15,
  processingJobs: 0.03,
  models: 0.05,
  endpointConfigs: 0.03,
  endpoints: 0.03,
  modelPackages: 0.02,
  monitoringSchedules: 0.01,
  jobDefinitions: 0.005,
  featureGroups: 0.01,
} as const;

type Counts = Record<keyof typeof SHARES, number>;

const pad = (i: number) => String(i).padStart(6, '0');
const refs = (s3Uris: string[], kmsKeys: string[], resources: string[] = []): ResourceReferences => ({
  s3Uris,
  kmsKeys,
  resources,
});
const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

interface Estate {
  now: Date;
  counts: Counts;
  region: string;
  /** Regional share: resource i of a kind belongs to this region when i % regions === regionIndex. */
  regionIndex: number;
}

const keyArn = (region: string, i: number) => `arn:aws:kms:${region}:${BENCH_ACCOUNT}:key/${pad(i)}-bench-key`;
const smArn = (region: string, type: string, name: string) => `arn:aws:sagemaker:${region}:${BENCH_ACCOUNT}:${type}/${name}`;
const bucketName = (i: number) => `bench-data-${pad(i)}`;
const roleArn = (i: number) => `arn:aws:iam::${BENCH_ACCOUNT}:role/bench-role-${pad(i)}`;

function resource(
  arn: string,
  type: string,
  region: string,
  configuration: object,
  tags: Record<string, string> = {},
): EvidenceResource {
  return { arn, type, region, configuration: configuration as Record<string, unknown>, tags };
}

function s3Resources(counts: Counts, now: Date): EvidenceResource[] {
  const resources: EvidenceResource[] = [
    resource(accountPublicAccessBlockArn(BENCH_ACCOUNT), S3_ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE, 'us-east-1', {
      publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
    }),
  ];
  for (let i = 0; i < counts.buckets; i += 1) {
    const name = bucketName(i);
    const region = BENCH_REGIONS[i % BENCH_REGIONS.length]!;
    const good = i % 5 !== 0;
    const configuration: S3BucketConfiguration = {
      name,
      creationDate: daysBefore(now, 400),
      encryption: {
        rules: [{ algorithm: good ? 'aws:kms' : 'AES256', ...(good ? { kmsKeyId: keyArn(region, i % counts.keys) } : {}) }],
      },
      policy:
        i % 3 === 0
          ? null
          : {
              document: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Deny',
                    Principal: '*',
                    Action: 's3:*',
                    Resource: [bucketArn(name), `${bucketArn(name)}/*`],
                    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
                  },
                ],
              },
            },
      versioning: { status: good ? 'Enabled' : 'Suspended', mfaDelete: false },
      publicAccessBlock: good
        ? { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true }
        : null,
      logging: good ? { enabled: true, targetBucket: bucketName(0), targetPrefix: `logs/${name}/` } : { enabled: false },
      lifecycle:
        i % 4 === 0
          ? null
          : { rules: [{ id: 'expire', enabled: true, expiration: true, transition: true, noncurrentVersionExpiration: true }] },
      replication:
        i % 2 === 0
          ? null
          : { role: roleArn(0), rules: [{ id: 'dr', enabled: true, destinationBucket: `arn:aws:s3:::${name}-dr` }] },
      objectLock: null,
    };
    const tags: Record<string, string> = { team: 'ml' };
    if (i % 2 === 0) tags['soc2-ml:scope'] = 'ml';
    if (i % 7 !== 0) tags.DataClassification = 'confidential';
    resources.push(resource(bucketArn(name), S3_BUCKET_TYPE, region, configuration, tags));
  }
  return resources;
}

function iamResources(counts: Counts, now: Date): EvidenceResource[] {
  const account: IamAccountConfiguration = {
    summary: { AccountMFAEnabled: 1, AccountAccessKeysPresent: 0, Users: counts.users },
    passwordPolicy: {
      minimumPasswordLength: 14,
      requireSymbols: true,
      requireNumbers: true,
      requireUppercaseCharacters: true,
      requireLowercaseCharacters: true,
      allowUsersToChangePassword: true,
      expirePasswords: false,
      maxPasswordAge: null,
      passwordReusePrevention: 24,
      hardExpiry: false,
    },
    credentialReport: { generatedAt: daysBefore(now, 0.1), reused: false },
    rootCredentials: {
      passwordLastUsed: daysBefore(now, 200),
      mfaActive: true,
      accessKey1Active: false,
      accessKey2Active: false,
    },
  };
  const resources: EvidenceResource[] = [resource(iamAccountArn(BENCH_ACCOUNT), IAM_ACCOUNT_TYPE, GLOBAL_REGION, account)];
  const administrators: IamAdministratorsConfiguration['administrators'] = [];
  const readOnly = { name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' };
  const admin = { name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' };
  for (let i = 0; i < counts.users; i += 1) {
    const arn = `arn:aws:iam::${BENCH_ACCOUNT}:user/bench-user-${pad(i)}`;
    const isAdmin = i % 97 === 0;
    const configuration: IamUserConfiguration = {
      userName: `bench-user-${pad(i)}`,
      userId: `AIDA${pad(i)}BENCH`,
      path: '/',
      createDate: daysBefore(now, 300),
      passwordEnabled: i % 3 === 0,
      passwordLastUsed: i % 3 === 0 ? daysBefore(now, i % 150) : null,
      passwordLastChanged: i % 3 === 0 ? daysBefore(now, 100) : null,
      mfaActive: i % 11 !== 0,
      credentialSource: 'credential-report',
      mfaDevices: i % 11 !== 0 ? [`arn:aws:iam::${BENCH_ACCOUNT}:mfa/bench-user-${pad(i)}`] : [],
      accessKeys:
        i % 4 === 0
          ? [
              {
                accessKeyId: `AKIA${pad(i)}BENCH`,
                status: 'Active',
                createDate: daysBefore(now, i % 200),
                lastUsedDate: daysBefore(now, i % 120),
                lastUsedService: 's3',
              },
            ]
          : [],
      groups: [`bench-group-${pad(i % Math.max(1, counts.groups))}`],
      attachedPolicies: isAdmin ? [admin] : i % 8 === 0 ? [readOnly] : [],
      inlinePolicies:
        i % 10 === 0
          ? [
              {
                name: 'inline',
                document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sagemaker:List*', Resource: '*' }] },
              },
            ]
          : [],
    };
    if (isAdmin) administrators.push({ arn, principalType: 'user', grantedBy: [admin.arn] });
    resources.push(resource(arn, IAM_USER_TYPE, GLOBAL_REGION, configuration));
  }
  for (let i = 0; i < counts.groups; i += 1) {
    const configuration: IamGroupConfiguration = { groupName: `bench-group-${pad(i)}`, attachedPolicies: [readOnly] };
    resources.push(
      resource(`arn:aws:iam::${BENCH_ACCOUNT}:group/bench-group-${pad(i)}`, IAM_GROUP_TYPE, GLOBAL_REGION, configuration),
    );
  }
  for (let i = 0; i < counts.roles; i += 1) {
    const trusted = i % 2 === 0;
    const policies =
      i % 9 === 0
        ? [{ name: 'AmazonSageMakerFullAccess', arn: 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess' }]
        : [readOnly];
    const configuration: IamRoleConfiguration = {
      roleName: `bench-role-${pad(i)}`,
      roleId: `AROA${pad(i)}BENCH`,
      path: '/',
      createDate: daysBefore(now, 200),
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: trusted ? 'sagemaker.amazonaws.com' : 'lambda.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      },
      trustedBySageMaker: trusted,
      attachedPolicies: policies,
    };
    resources.push(resource(roleArn(i), IAM_ROLE_TYPE, GLOBAL_REGION, configuration));
  }
  for (let i = 0; i < counts.policies; i += 1) {
    const star = i % 25 === 0;
    const configuration: IamManagedPolicyConfiguration = {
      policyName: `bench-policy-${pad(i)}`,
      policyId: `ANPA${pad(i)}BENCH`,
      path: '/',
      defaultVersionId: 'v1',
      attachmentCount: i % 3,
      document: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: star ? '*' : 's3:GetObject', Resource: star ? '*' : `${bucketArn(bucketName(i))}/*` },
        ],
      },
    };
    resources.push(
      resource(
        `arn:aws:iam::${BENCH_ACCOUNT}:policy/bench-policy-${pad(i)}`,
        IAM_MANAGED_POLICY_TYPE,
        GLOBAL_REGION,
        configuration,
      ),
    );
  }
  resources.push(resource(iamAdministratorsArn(BENCH_ACCOUNT), IAM_ADMINISTRATORS_TYPE, GLOBAL_REGION, { administrators }));
  return resources;
}

/** Indices of one kind that belong to the estate's region. */
function* regional(count: number, estate: Estate): Iterable<number> {
  for (let i = estate.regionIndex; i < count; i += BENCH_REGIONS.length) yield i;
}

function kmsResources(estate: Estate): EvidenceResource[] {
  const { counts, region, now } = estate;
  const resources: EvidenceResource[] = [];
  for (const i of regional(counts.keys, estate)) {
    const asymmetric = i % 13 === 0;
    const configuration: KmsKeyConfiguration = {
      keyId: `${pad(i)}-bench-key`,
      description: `bench key ${i}`,
      keyManager: 'CUSTOMER',
      keyState: i % 17 === 0 ? 'Disabled' : 'Enabled',
      keySpec: asymmetric ? 'RSA_2048' : 'SYMMETRIC_DEFAULT',
      keyUsage: asymmetric ? 'SIGN_VERIFY' : 'ENCRYPT_DECRYPT',
      origin: 'AWS_KMS',
      multiRegion: false,
      creationDate: daysBefore(now, 500),
      aliases: [`alias/bench-${pad(i)}`],
      rotationApplicable: !asymmetric,
      ...(asymmetric ? { rotationNotApplicableReason: 'asymmetric key' } : {}),
      ...(asymmetric ? {} : { rotationEnabled: i % 3 !== 0, rotationPeriodInDays: 365 }),
      keyPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'root',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${BENCH_ACCOUNT}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
          ...(i % 29 === 0 ? [{ Sid: 'open', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }] : []),
        ],
      },
    };
    resources.push(resource(keyArn(region, i), KMS_KEY_TYPE, region, configuration));
  }
  return resources;
}

function cloudTrailResources(estate: Estate): EvidenceResource[] {
  const { region } = estate;
  return [0, 1].map((i) => {
    const configuration: CloudTrailTrailConfiguration = {
      name: `bench-trail-${i}`,
      homeRegion: 'us-east-1',
      isShadow: region !== 'us-east-1',
      isMultiRegion: true,
      isOrganizationTrail: i === 0,
      includeGlobalServiceEvents: true,
      logFileValidationEnabled: i === 0,
      kmsKeyId: i === 0 ? keyArn('us-east-1', 0) : null,
      s3BucketName: bucketName(0),
      status: { isLogging: true, latestDeliveryTime: estate.now.toISOString() },
      eventSelectors: {
        basic: [],
        advanced: [
          { name: 'management', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] },
          {
            name: 'ml data',
            fieldSelectors: [
              { field: 'eventCategory', equals: ['Data'] },
              { field: 'resources.type', equals: ['AWS::S3::Object'] },
            ],
          },
        ],
      },
    };
    return resource(
      `arn:aws:cloudtrail:us-east-1:${BENCH_ACCOUNT}:trail/bench-trail-${i}`,
      CLOUDTRAIL_TRAIL_TYPE,
      region,
      configuration,
    );
  });
}

function sageMakerResources(estate: Estate): EvidenceResource[] {
  const { counts, region, now } = estate;
  const resources: EvidenceResource[] = [];
  const key = (i: number) => keyArn(region, i % counts.keys);
  const data = (i: number) => `s3://${bucketName(i % counts.buckets)}/datasets/${i}/`;
  const vpc = { subnets: ['subnet-0bench'], securityGroupIds: ['sg-0bench'] };
  const env = { LOG_LEVEL: 'info', API_TOKEN: '[REDACTED]' };
  const push = (type: string, arnType: string, name: string, configuration: object) =>
    resources.push(resource(smArn(region, arnType, name), type, region, configuration));

  for (const i of regional(counts.lifecycleConfigs, estate)) {
    const configuration: SmNotebookLifecycleConfig = {
      name: `bench-lifecycle-${pad(i)}`,
      scripts: [{ hook: 'OnStart', credentialPatterns: i % 5 === 0 ? ['aws-access-key-id'] : [] }],
      references: refs([], []),
    };
    push(SM_NOTEBOOK_LIFECYCLE_CONFIG_TYPE, 'notebook-instance-lifecycle-config', configuration.name, configuration);
  }
  for (const i of regional(counts.notebooks, estate)) {
    const lifecycle = `bench-lifecycle-${pad(i % Math.max(1, counts.lifecycleConfigs))}`;
    const configuration: SmNotebookInstance = {
      name: `bench-notebook-${pad(i)}`,
      status: 'InService',
      kmsKeyId: i % 6 === 0 ? null : key(i),
      directInternetAccess: i % 3 === 0 ? 'Enabled' : 'Disabled',
      subnetId: i % 3 === 0 ? null : 'subnet-0bench',
      rootAccess: i % 4 === 0 ? 'Enabled' : 'Disabled',
      platformIdentifier: i % 5 === 0 ? 'notebook-al2-v1' : 'notebook-al2023-v1',
      lifecycleConfigName: lifecycle,
      roleArn: roleArn(i % counts.roles),
      references: refs([data(i)], i % 6 === 0 ? [] : [key(i)], [smArn(region, 'notebook-instance-lifecycle-config', lifecycle)]),
    };
    push(SM_NOTEBOOK_INSTANCE_TYPE, 'notebook-instance', configuration.name, configuration);
  }
  for (const i of regional(counts.domains, estate)) {
    const configuration: SmDomain = {
      id: `d-bench${pad(i)}`,
      name: `bench-domain-${pad(i)}`,
      status: 'InService',
      kmsKeyId: i % 2 === 0 ? key(i) : null,
      appNetworkAccessType: i % 2 === 0 ? 'VpcOnly' : 'PublicInternetOnly',
      vpcId: 'vpc-0bench',
      subnetIds: ['subnet-0bench'],
      executionRoleArn: roleArn(i % counts.roles),
      references: refs([], i % 2 === 0 ? [key(i)] : []),
    };
    push(SM_DOMAIN_TYPE, 'domain', configuration.id, configuration);
  }
  const jobCommon = (i: number) => ({
    status: 'Completed',
    creationTime: daysBefore(now, i % 80),
    instanceCount: 1 + (i % 3),
    volumeKmsKeyId: i % 5 === 0 ? null : key(i),
    outputKmsKeyId: i % 7 === 0 ? null : key(i),
    enableInterContainerTrafficEncryption: i % 3 !== 0,
    enableNetworkIsolation: i % 4 !== 0,
    vpcConfig: i % 6 === 0 ? null : vpc,
    roleArn: roleArn(i % counts.roles),
    environment: env,
  });
  for (const i of regional(counts.trainingJobs, estate)) {
    const name = `bench-job-${pad(i)}`;
    const output = `s3://${bucketName(i % counts.buckets)}/models/`;
    const configuration: SmTrainingJob = {
      name,
      ...jobCommon(i),
      outputS3Path: output,
      modelArtifactS3Uri: `${output}${name}/output/model.tar.gz`,
      hyperParameters: { max_depth: '6', eta: '0.2' },
      references: refs([data(i), output], [key(i)]),
    };
    push(SM_TRAINING_JOB_TYPE, 'training-job', name, configuration);
  }
  for (const i of regional(counts.processingJobs, estate)) {
    const name = `bench-processing-${pad(i)}`;
    const configuration: SmProcessingJob = { name, ...jobCommon(i), references: refs([data(i)], [key(i)]) };
    push(SM_PROCESSING_JOB_TYPE, 'processing-job', name, configuration);
  }
  for (const i of regional(counts.modelPackages, estate)) {
    const configuration: SmModelPackage = {
      name: `bench-group-${pad(i)}/1`,
      groupName: `bench-group-${pad(i)}`,
      version: 1,
      approvalStatus: i % 3 === 0 ? 'PendingManualApproval' : 'Approved',
      metrics: i % 4 === 0 ? [] : ['ModelQuality', 'Bias'],
      references: refs([`s3://${bucketName(i % counts.buckets)}/packages/${i}/`], []),
    };
    push(SM_MODEL_PACKAGE_TYPE, 'model-package', configuration.name, configuration);
  }
  for (const i of regional(counts.models, estate)) {
    const name = `bench-model-${pad(i)}`;
    const job = `bench-job-${pad(i % counts.trainingJobs)}`;
    const artifact = `s3://${bucketName((i % counts.trainingJobs) % counts.buckets)}/models/${job}/output/model.tar.gz`;
    const configuration: SmModel = {
      name,
      containers: [
        {
          image: i % 9 === 0 ? 'docker.io/library/python:3.12' : `${BENCH_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/bench:1`,
          repositoryAccessMode: null,
          modelDataUrl: i % 10 === 0 ? null : artifact,
          modelPackageName: null,
          environment: env,
        },
      ],
      enableNetworkIsolation: i % 4 !== 0,
      vpcConfig: i % 5 === 0 ? null : vpc,
      executionRoleArn: roleArn(i % counts.roles),
      references: refs(i % 10 === 0 ? [] : [artifact], [], i % 10 === 0 ? [] : [smArn(region, 'training-job', job)]),
    };
    push(SM_MODEL_TYPE, 'model', name, configuration);
  }
  for (const i of regional(counts.endpointConfigs, estate)) {
    const name = `bench-endpoint-config-${pad(i)}`;
    const model = `bench-model-${pad(i % counts.models)}`;
    const configuration: SmEndpointConfig = {
      name,
      kmsKeyId: i % 4 === 0 ? null : key(i),
      variants: [
        { name: 'primary', modelName: model, instanceType: 'ml.m5.large', initialInstanceCount: 1 + (i % 2), serverless: false },
      ],
      dataCapture:
        i % 3 === 0
          ? null
          : { enabled: true, destinationS3Uri: `s3://${bucketName(i % counts.buckets)}/capture/`, kmsKeyId: key(i) },
      references: refs(i % 3 === 0 ? [] : [`s3://${bucketName(i % counts.buckets)}/capture/`], i % 4 === 0 ? [] : [key(i)], [
        smArn(region, 'model', model),
      ]),
    };
    push(SM_ENDPOINT_CONFIG_TYPE, 'endpoint-config', name, configuration);
  }
  for (const i of regional(counts.endpoints, estate)) {
    const name = `bench-endpoint-${pad(i)}`;
    const endpointConfig = `bench-endpoint-config-${pad(i % counts.endpointConfigs)}`;
    const instances = 1 + (i % 2);
    const configuration: SmEndpoint = {
      name,
      status: 'InService',
      endpointConfigName: endpointConfig,
      variants: [
        {
          name: 'primary',
          currentInstanceCount: instances,
          desiredInstanceCount: instances,
          serverless: false,
          autoScaling: i % 3 === 0 ? null : { minCapacity: 2, maxCapacity: 6, policies: ['target-tracking'] },
        },
      ],
      dataCaptureEnabled: i % 3 !== 0,
      autoRollbackAlarms: i % 2 === 0 ? [`${name}-errors`] : null,
      alarms:
        i % 4 === 0
          ? []
          : [
              {
                name: `${name}-errors`,
                arn: `arn:aws:cloudwatch:${region}:${BENCH_ACCOUNT}:alarm:${name}-errors`,
                namespace: 'AWS/SageMaker',
                metricNames: ['Invocation5XXErrors'],
                actionsEnabled: true,
                alarmActions: [`arn:aws:sns:${region}:${BENCH_ACCOUNT}:oncall`],
              },
            ],
      references: refs([], [], [smArn(region, 'endpoint-config', endpointConfig)]),
    };
    push(SM_ENDPOINT_TYPE, 'endpoint', name, configuration);
  }
  for (const i of regional(counts.jobDefinitions, estate)) {
    const name = `bench-data-quality-${pad(i)}`;
    const configuration: SmMonitoringJobDefinition = {
      name,
      kind: 'DataQuality',
      endpointName: `bench-endpoint-${pad(i % counts.endpoints)}`,
      environment: env,
      enableNetworkIsolation: i % 2 === 0,
      enableInterContainerTrafficEncryption: i % 3 !== 0,
      references: refs([`s3://${bucketName(i % counts.buckets)}/monitoring/`], []),
    };
    push(SM_MONITORING_JOB_DEFINITION_TYPE, 'data-quality-job-definition', name, configuration);
  }
  for (const i of regional(counts.monitoringSchedules, estate)) {
    const name = `bench-schedule-${pad(i)}`;
    const inline = i % 2 === 0;
    const configuration: SmMonitoringSchedule = {
      name,
      status: 'Scheduled',
      monitoringType: 'DataQuality',
      endpointName: `bench-endpoint-${pad(i % counts.endpoints)}`,
      jobDefinitionName: inline ? null : `bench-data-quality-${pad(i % Math.max(1, counts.jobDefinitions))}`,
      inlineJobDefinition: inline
        ? { enableNetworkIsolation: i % 4 !== 0, enableInterContainerTrafficEncryption: true, environment: env }
        : null,
      references: refs([], []),
    };
    push(SM_MONITORING_SCHEDULE_TYPE, 'monitoring-schedule', name, configuration);
  }
  for (const i of regional(counts.featureGroups, estate)) {
    const name = `bench-features-${pad(i)}`;
    const configuration: SmFeatureGroup = {
      name,
      status: 'Created',
      offlineStore: { s3Uri: `s3://${bucketName(i % counts.buckets)}/features/`, kmsKeyId: i % 3 === 0 ? null : key(i) },
      onlineStore: { enabled: i % 2 === 0, kmsKeyId: i % 4 === 0 ? null : key(i) },
      references: refs([`s3://${bucketName(i % counts.buckets)}/features/`], i % 3 === 0 ? [] : [key(i)]),
    };
    push(SM_FEATURE_GROUP_TYPE, 'feature-group', name, configuration);
  }
  return resources;
}

let sequence = 0;
function stored(collector: CollectorName, region: string, collectedAt: string, resources: EvidenceResource[]): StoredEvidence {
  sequence += 1;
  const record: EvidenceRecord = {
    schema: 'evidence/v1',
    id: `bench-record-${sequence}`,
    collector: { name: collector, version: '1.0.0' },
    account: BENCH_ACCOUNT,
    region,
    collectedAt,
    trigger: { type: 'schedule' },
    scope: { type: 'all' },
    resources,
    errors: [],
    notes: [],
    deleted: [],
    calls: resources.length * 3,
  };
  return {
    record,
    evidence: {
      key: `evidence/v1/collector=${collector}/bench-${sequence}.json.gz`,
      sha256: sequence.toString(16).padStart(64, '0'),
    },
  };
}

/** Full snapshots of every collector (regional ones in each of BENCH_REGIONS) for about `total` resources. */
export function syntheticEvidence(total: number, now: Date): StoredEvidence[] {
  const counts = Object.fromEntries(
    Object.entries(SHARES).map(([kind, share]) => [kind, Math.max(2, Math.round(total * share))]),
  ) as Counts;
  const collectedAt = new Date(now.getTime() - 3_600_000).toISOString();
  const evidence = [
    stored('s3', GLOBAL_REGION, collectedAt, s3Resources(counts, now)),
    stored('iam', GLOBAL_REGION, collectedAt, iamResources(counts, now)),
  ];
  BENCH_REGIONS.forEach((region, regionIndex) => {
    const estate: Estate = { now, counts, region, regionIndex };
    evidence.push(
      stored('kms', region, collectedAt, kmsResources(estate)),
      stored('cloudtrail', region, collectedAt, cloudTrailResources(estate)),
      stored('sagemaker', region, collectedAt, sageMakerResources(estate)),
    );
  });
  return evidence;
}
