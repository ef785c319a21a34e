import type { CollectorName } from '../evidence/record';

/**
 * Which CloudTrail management events can change a checked setting, which collector re-collects
 * the affected resource, and where the event names that resource. Data only: the resolver in
 * resolve-targets.ts reads it, the EventBridge rules are built from it (eventPatternsBySource),
 * and every entry has a fixture under test/fixtures/events/.
 */

/** How an identifier found in an event becomes the scope resource the collector accepts. */
export type ResourceForm =
  /** bucket name -> arn:aws:s3:::name */
  | 's3Bucket'
  /** account id -> the account-level public access block pseudo-ARN */
  | 's3AccountPublicAccessBlock'
  /** key id, key ARN, alias name or alias ARN -> key ARN (or alias ARN, which DescribeKey accepts) */
  | 'kmsKey'
  /** user name or user ARN -> arn:aws:iam::<account>:user/<name> */
  | 'iamUser'
  | 'iamGroup'
  | 'iamRole'
  /** policy ARN, kept as written */
  | 'iamPolicy'
  /** account id -> arn:aws:iam::<account>:root (password policy, root MFA and keys) */
  | 'iamAccount'
  /** trail name or ARN -> trail ARN */
  | 'cloudTrailTrail'
  /** Application Auto Scaling ResourceId endpoint/<name>/variant/<v> -> endpoint ARN */
  | 'sagemakerEndpointOfScalableTarget'
  /** SageMaker name (or ARN) -> arn:aws:sagemaker:<region>:<account>:<type>/<lowercased name> */
  | `sagemaker:${SageMakerArnType}`;

export type SageMakerArnType =
  | 'notebook-instance'
  | 'notebook-instance-lifecycle-config'
  | 'training-job'
  | 'processing-job'
  | 'model'
  | 'endpoint-config'
  | 'endpoint'
  | 'monitoring-schedule'
  | 'model-package'
  | 'domain'
  | 'feature-group';

/**
 * Where an identifier sits, as a path into the event's `detail`: dots between keys, `[]` for
 * every element of an array, `[key=value]` for the elements whose key equals value.
 */
export interface Locator {
  path: string;
  form: ResourceForm;
}

export interface EventMapping {
  eventSource: string;
  eventName: string;
  collector: CollectorName;
  /** One entry per affected resource; within an entry the first locator that finds a value wins. */
  affects: Locator[][];
  /**
   * When no locator finds the resource: re-collect the collector's whole region (fail closed,
   * the default) or ignore the event (it concerns something no check reads).
   */
  otherwise?: 'collect-all' | 'ignore';
  /** The event concerns checked resources only when this field holds this value (e.g. serviceNamespace). */
  onlyWhen?: { path: string; equals: string };
}

const S3 = 's3.amazonaws.com';
const KMS = 'kms.amazonaws.com';
const IAM = 'iam.amazonaws.com';
const CLOUDTRAIL = 'cloudtrail.amazonaws.com';
const SAGEMAKER = 'sagemaker.amazonaws.com';
const CLOUDWATCH = 'monitoring.amazonaws.com';
const AUTOSCALING = 'application-autoscaling.amazonaws.com';

const at = (path: string, form: ResourceForm): Locator => ({ path, form });

function events(
  eventSource: string,
  collector: CollectorName,
  names: readonly string[],
  affects: Locator[][],
  extra: Pick<EventMapping, 'otherwise' | 'onlyWhen'> = {},
): EventMapping[] {
  return names.map((eventName) => ({ eventSource, eventName, collector, affects, ...extra }));
}

const bucket = [[at('requestParameters.bucketName', 's3Bucket')]];
const accountBlock = [
  [at('requestParameters.accountId', 's3AccountPublicAccessBlock'), at('recipientAccountId', 's3AccountPublicAccessBlock')],
];
const kmsKey = [
  [
    at('requestParameters.keyId', 'kmsKey'),
    at('responseElements.keyMetadata.arn', 'kmsKey'),
    at('resources[type=AWS::KMS::Key].ARN', 'kmsKey'),
  ],
];
/** Calls that name no user act on the caller's own user, or on the account when the caller is root. */
const userOrCaller = [
  [at('requestParameters.userName', 'iamUser'), at('userIdentity.userName', 'iamUser'), at('recipientAccountId', 'iamAccount')],
];
const user = [[at('responseElements.user.arn', 'iamUser'), at('requestParameters.userName', 'iamUser')]];
const group = [[at('responseElements.group.arn', 'iamGroup'), at('requestParameters.groupName', 'iamGroup')]];
const role = [[at('responseElements.role.arn', 'iamRole'), at('requestParameters.roleName', 'iamRole')]];
const policy = [[at('requestParameters.policyArn', 'iamPolicy'), at('responseElements.policy.arn', 'iamPolicy')]];
const account = [[at('recipientAccountId', 'iamAccount')]];
const createdTrail = [[at('responseElements.trailARN', 'cloudTrailTrail'), at('requestParameters.name', 'cloudTrailTrail')]];

function sagemaker(type: SageMakerArnType, ...paths: string[]): Locator[][] {
  return [paths.map((path) => at(path, `sagemaker:${type}`))];
}

export const EVENT_MAP: readonly EventMapping[] = [
  // S3: bucket lifecycle and every setting the s3.* checks read.
  ...events(
    S3,
    's3',
    [
      'CreateBucket',
      'DeleteBucket',
      'PutBucketEncryption',
      'DeleteBucketEncryption',
      'PutBucketPolicy',
      'DeleteBucketPolicy',
      'PutBucketVersioning',
      'PutBucketPublicAccessBlock',
      'DeleteBucketPublicAccessBlock',
      'PutBucketLogging',
      'PutBucketLifecycle',
      'PutBucketLifecycleConfiguration',
      'DeleteBucketLifecycle',
      'PutBucketReplication',
      'DeleteBucketReplication',
      'PutObjectLockConfiguration',
      'PutBucketObjectLockConfiguration',
      'PutBucketTagging',
      'DeleteBucketTagging',
    ],
    bucket,
  ),
  // The same names serve a bucket's block (bucketName given) and, through S3 Control, the account's.
  ...events(S3, 's3', ['PutPublicAccessBlock', 'DeletePublicAccessBlock'], [[...bucket[0]!, ...accountBlock[0]!]]),
  ...events(S3, 's3', ['PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock'], accountBlock),

  ...events(
    KMS,
    'kms',
    [
      'CreateKey',
      'EnableKeyRotation',
      'DisableKeyRotation',
      'ScheduleKeyDeletion',
      'CancelKeyDeletion',
      'EnableKey',
      'DisableKey',
      'PutKeyPolicy',
    ],
    kmsKey,
  ),

  ...events(IAM, 'iam', ['CreateUser', 'DeleteUser', 'UpdateUser'], user),
  ...events(IAM, 'iam', ['CreateLoginProfile', 'UpdateLoginProfile', 'DeleteLoginProfile'], userOrCaller),
  ...events(IAM, 'iam', ['EnableMFADevice', 'DeactivateMFADevice'], userOrCaller),
  ...events(IAM, 'iam', ['CreateAccessKey', 'UpdateAccessKey', 'DeleteAccessKey'], userOrCaller),
  ...events(IAM, 'iam', ['AttachUserPolicy', 'DetachUserPolicy', 'PutUserPolicy', 'DeleteUserPolicy'], user),
  ...events(IAM, 'iam', ['CreateGroup', 'DeleteGroup'], group),
  ...events(IAM, 'iam', ['AttachGroupPolicy', 'DetachGroupPolicy', 'PutGroupPolicy', 'DeleteGroupPolicy'], group),
  // Membership changes both sides: the user's groups and the group's members.
  ...events(IAM, 'iam', ['AddUserToGroup', 'RemoveUserFromGroup'], [...user, ...group]),
  ...events(
    IAM,
    'iam',
    [
      'CreateRole',
      'DeleteRole',
      'UpdateRole',
      'UpdateAssumeRolePolicy',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'PutRolePolicy',
      'DeleteRolePolicy',
    ],
    role,
  ),
  ...events(
    IAM,
    'iam',
    ['CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion'],
    policy,
  ),
  ...events(IAM, 'iam', ['UpdateAccountPasswordPolicy', 'DeleteAccountPasswordPolicy'], account),

  ...events(CLOUDTRAIL, 'cloudtrail', ['CreateTrail'], createdTrail),
  ...events(
    CLOUDTRAIL,
    'cloudtrail',
    ['DeleteTrail', 'UpdateTrail', 'StartLogging', 'StopLogging', 'PutEventSelectors'],
    [[at('requestParameters.name', 'cloudTrailTrail'), at('requestParameters.trailName', 'cloudTrailTrail')]],
  ),

  ...events(
    SAGEMAKER,
    'sagemaker',
    [
      'CreateNotebookInstance',
      'UpdateNotebookInstance',
      'DeleteNotebookInstance',
      'StopNotebookInstance',
      'StartNotebookInstance',
    ],
    sagemaker('notebook-instance', 'requestParameters.notebookInstanceName'),
  ),
  ...events(
    SAGEMAKER,
    'sagemaker',
    ['CreateNotebookInstanceLifecycleConfig', 'UpdateNotebookInstanceLifecycleConfig', 'DeleteNotebookInstanceLifecycleConfig'],
    sagemaker('notebook-instance-lifecycle-config', 'requestParameters.notebookInstanceLifecycleConfigName'),
  ),
  ...events(
    SAGEMAKER,
    'sagemaker',
    ['CreateTrainingJob', 'UpdateTrainingJob', 'StopTrainingJob'],
    sagemaker('training-job', 'requestParameters.trainingJobName'),
  ),
  ...events(
    SAGEMAKER,
    'sagemaker',
    ['CreateProcessingJob', 'StopProcessingJob'],
    sagemaker('processing-job', 'requestParameters.processingJobName'),
  ),
  ...events(SAGEMAKER, 'sagemaker', ['CreateModel', 'DeleteModel'], sagemaker('model', 'requestParameters.modelName')),
  ...events(
    SAGEMAKER,
    'sagemaker',
    ['CreateEndpointConfig', 'DeleteEndpointConfig'],
    sagemaker('endpoint-config', 'requestParameters.endpointConfigName'),
  ),
  ...events(
    SAGEMAKER,
    'sagemaker',
    ['CreateEndpoint', 'UpdateEndpoint', 'UpdateEndpointWeightsAndCapacities', 'DeleteEndpoint'],
    sagemaker('endpoint', 'requestParameters.endpointName'),
  ),
  ...events(
    SAGEMAKER,
    'sagemaker',
    [
      'CreateMonitoringSchedule',
      'UpdateMonitoringSchedule',
      'DeleteMonitoringSchedule',
      'StartMonitoringSchedule',
      'StopMonitoringSchedule',
    ],
    sagemaker('monitoring-schedule', 'requestParameters.monitoringScheduleName'),
  ),
  ...events(
    SAGEMAKER,
    'sagemaker',
    ['CreateModelPackage', 'UpdateModelPackage', 'DeleteModelPackage'],
    sagemaker(
      'model-package',
      'responseElements.modelPackageArn',
      'requestParameters.modelPackageArn',
      'requestParameters.modelPackageName',
    ),
  ),
  ...events(
    SAGEMAKER,
    'sagemaker',
    ['CreateDomain', 'UpdateDomain', 'DeleteDomain'],
    sagemaker('domain', 'responseElements.domainArn', 'requestParameters.domainId'),
  ),
  ...events(
    SAGEMAKER,
    'sagemaker',
    ['CreateFeatureGroup', 'UpdateFeatureGroup', 'DeleteFeatureGroup'],
    sagemaker('feature-group', 'requestParameters.featureGroupName'),
  ),

  // Alarms and scaling are part of an endpoint's evidence: re-collect that endpoint.
  ...events(
    CLOUDWATCH,
    'sagemaker',
    ['PutMetricAlarm'],
    sagemaker('endpoint', 'requestParameters.dimensions[name=EndpointName].value'),
    // An alarm without an EndpointName dimension watches nothing the checks read.
    { otherwise: 'ignore' },
  ),
  // DeleteAlarms names alarms only; which endpoints they watched is no longer askable.
  ...events(CLOUDWATCH, 'sagemaker', ['DeleteAlarms'], [], { otherwise: 'collect-all' }),
  ...events(
    AUTOSCALING,
    'sagemaker',
    ['RegisterScalableTarget', 'DeregisterScalableTarget', 'PutScalingPolicy', 'DeleteScalingPolicy'],
    [[at('requestParameters.resourceId', 'sagemakerEndpointOfScalableTarget')]],
    { onlyWhen: { path: 'requestParameters.serviceNamespace', equals: 'sagemaker' } },
  ),
];

const BY_KEY = new Map(EVENT_MAP.map((mapping) => [`${mapping.eventSource}|${mapping.eventName}`, mapping]));

export function mappingFor(eventSource: string, eventName: string): EventMapping | undefined {
  return BY_KEY.get(`${eventSource}|${eventName}`);
}

/** eventSource -> sorted eventNames: what the EventBridge rules match (`detail.eventSource` / `detail.eventName`). */
export function eventPatternsBySource(): Record<string, string[]> {
  const patterns: Record<string, string[]> = {};
  for (const { eventSource, eventName } of EVENT_MAP) patterns[eventSource] = [...(patterns[eventSource] ?? []), eventName];
  for (const names of Object.values(patterns)) names.sort();
  return patterns;
}
