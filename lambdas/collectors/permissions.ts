import type { CollectorName } from '../evidence/record';

/**
 * An ARN pattern with placeholders that the deployment fills in: `{partition}`, `{account}`
 * and, for regional services, `{region}` (one ARN per configured region).
 */
export type ArnPattern = string;

/** Actions granted together on the same resources. */
export interface ReadGrant {
  actions: readonly string[];
  /**
   * `'*'` only for actions that do not support resource-level permissions (IAM then
   * ignores any ARN); everything else is scoped to the account's resources of that type.
   */
  resources: '*' | readonly ArnPattern[];
}

/** Organization and shadow trails live in other accounts and in regions we may not collect: their status is read at the trail's home. */
const ANY_ACCOUNT_TRAIL = 'arn:{partition}:cloudtrail:*:*:trail/*';

/**
 * The read-only permissions each collector needs, action by action: the collector Lambda's
 * role and (later) the member-account role are both built from this one table. Adding an
 * SDK call to a collector means adding its action here, or the call fails with AccessDenied
 * and is recorded as a collection error.
 */
export const COLLECTOR_READ_GRANTS: Record<CollectorName, readonly ReadGrant[]> = {
  s3: [
    { actions: ['s3:ListAllMyBuckets', 's3:GetAccountPublicAccessBlock'], resources: '*' },
    {
      actions: [
        's3:GetBucketLocation',
        's3:GetEncryptionConfiguration',
        's3:GetBucketPolicy',
        's3:GetBucketVersioning',
        's3:GetBucketPublicAccessBlock',
        's3:GetBucketLogging',
        's3:GetLifecycleConfiguration',
        's3:GetReplicationConfiguration',
        's3:GetBucketObjectLockConfiguration',
        's3:GetBucketTagging',
      ],
      // Bucket ARNs carry no account or region: every bucket the account can see.
      resources: ['arn:{partition}:s3:::*'],
    },
  ],
  iam: [
    {
      actions: [
        'iam:GenerateCredentialReport',
        'iam:GetCredentialReport',
        'iam:GetAccountSummary',
        'iam:GetAccountPasswordPolicy',
        'iam:ListUsers',
        'iam:ListGroups',
        'iam:ListRoles',
        'iam:ListPolicies',
      ],
      resources: '*',
    },
    {
      actions: [
        'iam:ListGroupsForUser',
        'iam:ListAttachedUserPolicies',
        'iam:ListUserPolicies',
        'iam:GetUserPolicy',
        'iam:ListMFADevices',
        'iam:ListAccessKeys',
        'iam:GetAccessKeyLastUsed',
        'iam:GetLoginProfile',
        // GetUser/GetGroup/GetRole/GetPolicy: one resource named by a change event.
        'iam:GetUser',
      ],
      resources: ['arn:{partition}:iam::{account}:user/*'],
    },
    {
      actions: ['iam:ListAttachedGroupPolicies', 'iam:ListGroupPolicies', 'iam:GetGroupPolicy', 'iam:GetGroup'],
      resources: ['arn:{partition}:iam::{account}:group/*'],
    },
    {
      actions: ['iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:GetRole'],
      resources: ['arn:{partition}:iam::{account}:role/*'],
    },
    {
      actions: ['iam:GetPolicyVersion', 'iam:GetPolicy'],
      // Customer managed policies and the AWS managed ones attached to principals.
      resources: ['arn:{partition}:iam::{account}:policy/*', 'arn:{partition}:iam::aws:policy/*'],
    },
  ],
  kms: [
    { actions: ['kms:ListKeys', 'kms:ListAliases'], resources: '*' },
    {
      actions: ['kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:GetKeyPolicy', 'kms:ListResourceTags'],
      resources: ['arn:{partition}:kms:{region}:{account}:key/*'],
    },
  ],
  cloudtrail: [
    { actions: ['cloudtrail:DescribeTrails'], resources: '*' },
    { actions: ['cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'], resources: [ANY_ACCOUNT_TRAIL] },
  ],
  sagemaker: [
    {
      actions: [
        'sagemaker:ListNotebookInstances',
        'sagemaker:ListNotebookInstanceLifecycleConfigs',
        'sagemaker:ListDomains',
        'sagemaker:ListTrainingJobs',
        'sagemaker:ListProcessingJobs',
        'sagemaker:ListModels',
        'sagemaker:ListEndpoints',
        'sagemaker:ListEndpointConfigs',
        'sagemaker:ListModelPackageGroups',
        'sagemaker:ListModelPackages',
        'sagemaker:ListMonitoringSchedules',
        'sagemaker:ListDataQualityJobDefinitions',
        'sagemaker:ListModelQualityJobDefinitions',
        'sagemaker:ListModelBiasJobDefinitions',
        'sagemaker:ListModelExplainabilityJobDefinitions',
        'sagemaker:ListFeatureGroups',
        'cloudwatch:DescribeAlarms',
        'application-autoscaling:DescribeScalableTargets',
        'application-autoscaling:DescribeScalingPolicies',
      ],
      resources: '*',
    },
    {
      actions: [
        'sagemaker:DescribeNotebookInstance',
        'sagemaker:DescribeNotebookInstanceLifecycleConfig',
        'sagemaker:DescribeDomain',
        'sagemaker:DescribeTrainingJob',
        'sagemaker:DescribeProcessingJob',
        'sagemaker:DescribeModel',
        'sagemaker:DescribeEndpoint',
        'sagemaker:DescribeEndpointConfig',
        'sagemaker:DescribeModelPackageGroup',
        'sagemaker:DescribeModelPackage',
        'sagemaker:DescribeMonitoringSchedule',
        'sagemaker:DescribeDataQualityJobDefinition',
        'sagemaker:DescribeModelQualityJobDefinition',
        'sagemaker:DescribeModelBiasJobDefinition',
        'sagemaker:DescribeModelExplainabilityJobDefinition',
        'sagemaker:DescribeFeatureGroup',
        'sagemaker:ListTags',
      ],
      resources: ['arn:{partition}:sagemaker:{region}:{account}:*'],
    },
  ],
};

/** Every read action per collector, flattened: the table reviewers and the member-account role read. */
export const COLLECTOR_READ_ACTIONS: Record<CollectorName, string[]> = Object.fromEntries(
  Object.entries(COLLECTOR_READ_GRANTS).map(([name, grants]) => [name, grants.flatMap((grant) => [...grant.actions])]),
) as Record<CollectorName, string[]>;

export interface ArnPlaceholders {
  partition: string;
  account: string;
  regions: readonly string[];
}

/** Fills an ARN pattern in: one ARN, or one per region when the pattern names `{region}`. */
export function expandArnPattern(pattern: ArnPattern, values: ArnPlaceholders): string[] {
  const filled = pattern.replaceAll('{partition}', values.partition).replaceAll('{account}', values.account);
  if (!filled.includes('{region}')) return [filled];
  return values.regions.map((region) => filled.replaceAll('{region}', region));
}
