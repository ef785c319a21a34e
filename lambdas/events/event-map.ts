import type { CollectorName } from '../evidence/record';

/**
 * Which CloudTrail management events can change a checked setting, which collector re-collects
 * the affected resource, and where the event names that resource. Data only: the resolver in
 * targets.ts reads it, the EventBridge rules are built from it (changeEventGroups), every entry
 * has a generated fixture under test/fixtures/events/ and real-shape records from AWS's
 * documentation under test/fixtures/cloudtrail-real/.
 */

/** How an identifier found in an event becomes the scope resource the collector accepts. */
export type ResourceForm =
  /** bucket name -> arn:<partition>:s3:::name (the partition of the event's region, as for every form) */
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
  /**
   * SageMaker name (or ARN) -> arn:aws:sagemaker:<region>:<account>:<type>/<lowercased name>, as AWS
   * writes its ARNs; the name as written in the event travels with it, as Describe* wants it.
   */
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
  /** Read this path only when another field holds a value (e.g. userIdentity.userName only for an IAMUser caller). */
  when?: { path: string; equals: string };
}

export interface EventMapping {
  eventSource: string;
  eventName: string;
  /**
   * `additionalEventData.service` of the record, for services that share an event source:
   * Application Auto Scaling calls are logged as autoscaling.amazonaws.com with service
   * application-autoscaling, EC2 Auto Scaling's without it.
   */
  service?: string;
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
/** CloudWatch API calls; EventBridge source aws.monitoring (aws.cloudwatch carries alarm state changes only). */
const CLOUDWATCH = 'monitoring.amazonaws.com';
/**
 * Application Auto Scaling calls: event source autoscaling.amazonaws.com (EventBridge source
 * aws.autoscaling, shared with EC2 Auto Scaling) and additionalEventData.service
 * application-autoscaling. "Monitor Application Auto Scaling events using Amazon EventBridge",
 * https://docs.aws.amazon.com/autoscaling/application/userguide/monitoring-eventbridge.html
 */
const AUTOSCALING = 'autoscaling.amazonaws.com';
const APPLICATION_AUTOSCALING = 'application-autoscaling';

const at = (path: string, form: ResourceForm): Locator => ({ path, form });

function events(
  eventSource: string,
  collector: CollectorName,
  names: readonly string[],
  affects: Locator[][],
  extra: Pick<EventMapping, 'otherwise' | 'onlyWhen' | 'service'> = {},
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
/**
 * Calls that name no user act on the caller's own user when the caller is an IAM user, and on
 * the account (root keys and MFA) when the caller is root: for a Root identity userName is the
 * account alias, if present at all ("CloudTrail userIdentity element",
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
 */
const userOrCaller = [
  [
    at('requestParameters.userName', 'iamUser'),
    { ...at('userIdentity.userName', 'iamUser'), when: { path: 'userIdentity.type', equals: 'IAMUser' } },
    at('recipientAccountId', 'iamAccount'),
  ],
];
const user = [[at('responseElements.user.arn', 'iamUser'), at('requestParameters.userName', 'iamUser')]];
/** A rename changes two names: the old one is gone, the new one must be described. */
const renamedUser = [...user, [at('requestParameters.newUserName', 'iamUser')]];
const group = [[at('responseElements.group.arn', 'iamGroup'), at('requestParameters.groupName', 'iamGroup')]];
const renamedGroup = [...group, [at('requestParameters.newGroupName', 'iamGroup')]];
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

  ...events(IAM, 'iam', ['CreateUser', 'DeleteUser'], user),
  ...events(IAM, 'iam', ['UpdateUser'], renamedUser),
  ...events(IAM, 'iam', ['CreateLoginProfile', 'UpdateLoginProfile', 'DeleteLoginProfile'], userOrCaller),
  ...events(IAM, 'iam', ['EnableMFADevice', 'DeactivateMFADevice'], userOrCaller),
  ...events(IAM, 'iam', ['CreateAccessKey', 'UpdateAccessKey', 'DeleteAccessKey'], userOrCaller),
  ...events(IAM, 'iam', ['AttachUserPolicy', 'DetachUserPolicy', 'PutUserPolicy', 'DeleteUserPolicy'], user),
  ...events(IAM, 'iam', ['CreateGroup', 'DeleteGroup'], group),
  ...events(IAM, 'iam', ['UpdateGroup'], renamedGroup),
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
  // These name alarms only: which endpoints they watch (watched) is not in the record. Disabling
  // an alarm's actions changes what sagemaker checks read (an enabled action).
  ...events(CLOUDWATCH, 'sagemaker', ['DeleteAlarms', 'DisableAlarmActions', 'EnableAlarmActions'], [], {
    otherwise: 'collect-all',
  }),
  ...events(
    AUTOSCALING,
    'sagemaker',
    ['RegisterScalableTarget', 'DeregisterScalableTarget', 'PutScalingPolicy', 'DeleteScalingPolicy'],
    [[at('requestParameters.resourceId', 'sagemakerEndpointOfScalableTarget')]],
    { service: APPLICATION_AUTOSCALING, onlyWhen: { path: 'requestParameters.serviceNamespace', equals: 'sagemaker' } },
  ),
];

const keyOf = (eventSource: string, eventName: string, service: string | undefined) =>
  `${eventSource}|${service ?? ''}|${eventName}`;
const BY_KEY = new Map(EVENT_MAP.map((m) => [keyOf(m.eventSource, m.eventName, m.service), m]));

/** The mapping of a CloudTrail record: its event source, event name and, where it has one, additionalEventData.service. */
export function mappingFor(detail: {
  eventSource: string;
  eventName: string;
  additionalEventData?: unknown;
}): EventMapping | undefined {
  const extra = detail.additionalEventData;
  const service = extra !== null && typeof extra === 'object' ? (extra as Record<string, unknown>).service : undefined;
  return (
    (typeof service === 'string' ? BY_KEY.get(keyOf(detail.eventSource, detail.eventName, service)) : undefined) ??
    BY_KEY.get(keyOf(detail.eventSource, detail.eventName, undefined))
  );
}

/** What one EventBridge rule matches: the names of one event source (and service, where sources are shared). */
export interface ChangeEventGroup {
  eventSource: string;
  service?: string;
  /** Sorted. */
  eventNames: string[];
}

/** The event map grouped for the EventBridge rules, ordered by event source and service. */
export function changeEventGroups(): ChangeEventGroup[] {
  const groups = new Map<string, ChangeEventGroup>();
  for (const { eventSource, service, eventName } of EVENT_MAP) {
    const key = `${eventSource}|${service ?? ''}`;
    const group = groups.get(key) ?? { eventSource, ...(service ? { service } : {}), eventNames: [] };
    group.eventNames.push(eventName);
    groups.set(key, group);
  }
  for (const group of groups.values()) group.eventNames.sort();
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, group]) => group);
}
