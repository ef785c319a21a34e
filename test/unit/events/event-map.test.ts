import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCloudTrailEvent } from '../../../lambdas/events/cloudtrail-event';
import { changeEventGroups, EVENT_MAP } from '../../../lambdas/events/event-map';
import { resolveTargets, valuesAt } from '../../../lambdas/events/targets';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'events');
const ACCOUNT = '123456789012';

function fixture(name: string) {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
}

function detailOf(name: string, change: (detail: Record<string, unknown>) => void = () => undefined) {
  const raw = fixture(name);
  change(raw.detail);
  const parsed = parseCloudTrailEvent(raw);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.event.detail;
}

function scopes(name: string, change?: (detail: Record<string, unknown>) => void) {
  const resolution = resolveTargets(detailOf(name, change), 'us-east-1');
  return resolution.kind === 'targets' ? resolution.targets.map((t) => ({ collector: t.collector, ...t.scope })) : resolution;
}

describe('event map', () => {
  it('has one fixture per mapped event name, and no fixture without a mapping', () => {
    // Prepare
    const mapped = EVENT_MAP.map((m) => m.eventName).sort();
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();

    // Assess
    expect(new Set(mapped).size).toBe(mapped.length);
    expect(mapped.filter((name) => !files.includes(name))).toEqual([]);
    expect(files.filter((name) => !mapped.includes(name))).toEqual([]);
  });

  it.each(EVENT_MAP.map((m) => [m.eventName, m]))('%s: the fixture is a valid event that maps to a scope', (name, mapping) => {
    // Act
    const raw = fixture(name);
    const parsed = parseCloudTrailEvent(raw);

    // Assess
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(raw['detail-type']).toBe('AWS API Call via CloudTrail');
    expect(parsed.event.detail.eventSource).toBe(mapping.eventSource);
    const resolution = resolveTargets(parsed.event.detail, 'us-east-1');
    expect(resolution.kind).toBe('targets');
    if (resolution.kind !== 'targets') return;
    expect(resolution.targets.length).toBeGreaterThan(0);
    for (const target of resolution.targets) {
      expect(target.collector).toBe(mapping.collector);
      if (target.scope.type === 'resource') expect(target.scope.resource).toMatch(/^arn:aws:/);
    }
  });

  it('groups every mapped name under its event source (and service, where sources are shared) for the EventBridge rules', () => {
    // Act
    const groups = changeEventGroups();

    // Assess
    expect(groups.map((g) => `${g.eventSource}${g.service ? ` ${g.service}` : ''}`)).toEqual([
      'autoscaling.amazonaws.com application-autoscaling',
      'backup.amazonaws.com',
      'bedrock.amazonaws.com',
      'cloudtrail.amazonaws.com',
      'ecr.amazonaws.com',
      'guardduty.amazonaws.com',
      'iam.amazonaws.com',
      'inspector2.amazonaws.com',
      'kms.amazonaws.com',
      'macie2.amazonaws.com',
      'monitoring.amazonaws.com',
      's3.amazonaws.com',
      'sagemaker.amazonaws.com',
      'securityhub.amazonaws.com',
    ]);
    expect(groups.flatMap((g) => g.eventNames)).toHaveLength(EVENT_MAP.length);
    const names = (source: string) => groups.find((g) => g.eventSource === source)!.eventNames;
    expect(names('kms.amazonaws.com')).toContain('DisableKeyRotation');
    expect(names('s3.amazonaws.com')).toEqual(expect.arrayContaining(['PutPublicAccessBlock', 'PutAccountPublicAccessBlock']));
  });

  it('covers every name issue 5 lists', () => {
    const required = [
      'CreateBucket',
      'DeleteBucket',
      'PutBucketEncryption',
      'DeleteBucketEncryption',
      'PutBucketPolicy',
      'DeleteBucketPolicy',
      'PutBucketVersioning',
      'PutBucketPublicAccessBlock',
      'DeleteBucketPublicAccessBlock',
      'PutPublicAccessBlock',
      'DeletePublicAccessBlock',
      'PutBucketLogging',
      'PutBucketLifecycle',
      'DeleteBucketLifecycle',
      'PutBucketReplication',
      'DeleteBucketReplication',
      'PutObjectLockConfiguration',
      'PutBucketTagging',
      'DeleteBucketTagging',
      'CreateKey',
      'EnableKeyRotation',
      'DisableKeyRotation',
      'ScheduleKeyDeletion',
      'CancelKeyDeletion',
      'EnableKey',
      'DisableKey',
      'PutKeyPolicy',
      'CreateUser',
      'DeleteUser',
      'CreateLoginProfile',
      'DeleteLoginProfile',
      'EnableMFADevice',
      'DeactivateMFADevice',
      'CreateAccessKey',
      'UpdateAccessKey',
      'DeleteAccessKey',
      'AttachUserPolicy',
      'AttachGroupPolicy',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'PutUserPolicy',
      'PutRolePolicy',
      'CreatePolicyVersion',
      'SetDefaultPolicyVersion',
      'UpdateAccountPasswordPolicy',
      'DeleteAccountPasswordPolicy',
      'AddUserToGroup',
      'RemoveUserFromGroup',
      'CreateRole',
      'DeleteRole',
      'UpdateAssumeRolePolicy',
      'CreateTrail',
      'DeleteTrail',
      'UpdateTrail',
      'StartLogging',
      'StopLogging',
      'PutEventSelectors',
      'CreateNotebookInstance',
      'UpdateNotebookInstance',
      'DeleteNotebookInstance',
      'CreateNotebookInstanceLifecycleConfig',
      'UpdateNotebookInstanceLifecycleConfig',
      'DeleteNotebookInstanceLifecycleConfig',
      'CreateTrainingJob',
      'CreateProcessingJob',
      'CreateModel',
      'DeleteModel',
      'CreateEndpointConfig',
      'DeleteEndpointConfig',
      'CreateEndpoint',
      'UpdateEndpoint',
      'DeleteEndpoint',
      'CreateMonitoringSchedule',
      'UpdateMonitoringSchedule',
      'DeleteMonitoringSchedule',
      'CreateModelPackage',
      'UpdateModelPackage',
      'DeleteModelPackage',
      'CreateDomain',
      'UpdateDomain',
      'DeleteDomain',
      'CreateFeatureGroup',
      'DeleteFeatureGroup',
      'PutMetricAlarm',
      'DeleteAlarms',
      'RegisterScalableTarget',
      'DeregisterScalableTarget',
      'PutScalingPolicy',
      'DeleteScalingPolicy',
    ];
    const mapped = new Set(EVENT_MAP.map((m) => m.eventName));
    expect(required.filter((name) => !mapped.has(name))).toEqual([]);
  });
});

describe('resolveTargets', () => {
  it('turns a KMS key id into the key ARN of the event region and account', () => {
    expect(scopes('DisableKeyRotation')).toEqual([
      {
        collector: 'kms',
        type: 'resource',
        resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      },
    ]);
  });

  it('turns a bucket name into the bucket ARN', () => {
    expect(scopes('PutBucketEncryption')).toEqual([
      { collector: 's3', type: 'resource', resource: 'arn:aws:s3:::ml-training-data' },
    ]);
  });

  it('reads the account-level block when PutPublicAccessBlock names no bucket', () => {
    // Prepare / Act
    const bucketLevel = scopes('PutPublicAccessBlock');
    const accountLevel = scopes('PutPublicAccessBlock', (detail) => {
      detail.requestParameters = { PublicAccessBlockConfiguration: { BlockPublicAcls: true } };
    });

    // Assess
    expect(bucketLevel).toEqual([{ collector: 's3', type: 'resource', resource: 'arn:aws:s3:::ml-training-data' }]);
    expect(accountLevel).toEqual([
      { collector: 's3', type: 'resource', resource: `arn:aws:s3::${ACCOUNT}:account-public-access-block` },
    ]);
  });

  it('builds IAM ARNs from names; group membership re-collects the user and the group', () => {
    expect(scopes('AddUserToGroup')).toEqual([
      { collector: 'iam', type: 'resource', resource: `arn:aws:iam::${ACCOUNT}:user/alice` },
      { collector: 'iam', type: 'resource', resource: `arn:aws:iam::${ACCOUNT}:group/ml-engineers` },
    ]);
    expect(scopes('UpdateAccountPasswordPolicy')).toEqual([
      { collector: 'iam', type: 'resource', resource: `arn:aws:iam::${ACCOUNT}:root` },
    ]);
  });

  it("falls back to the caller's own user, then to the account, when an access-key call names no user", () => {
    // Prepare / Act
    const asUser = scopes('CreateAccessKey', (detail) => {
      detail.requestParameters = {};
      detail.userIdentity = { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/bob`, userName: 'bob' };
    });
    const asRoot = scopes('CreateAccessKey', (detail) => {
      detail.requestParameters = {};
      detail.userIdentity = { type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root` };
    });

    // Assess
    expect(asUser).toEqual([{ collector: 'iam', type: 'resource', resource: `arn:aws:iam::${ACCOUNT}:user/bob` }]);
    expect(asRoot).toEqual([{ collector: 'iam', type: 'resource', resource: `arn:aws:iam::${ACCOUNT}:root` }]);
  });

  it('lowercases SageMaker names into the ARN AWS writes, and keeps the name as written for Describe*', () => {
    expect(
      scopes('UpdateNotebookInstance', (detail) => {
        detail.requestParameters = { notebookInstanceName: 'Churn-Notebook' };
      }),
    ).toEqual([
      {
        collector: 'sagemaker',
        type: 'resource',
        resource: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:notebook-instance/churn-notebook`,
        name: 'Churn-Notebook',
      },
    ]);
    expect(
      scopes('PutScalingPolicy', (detail) => {
        detail.requestParameters = { serviceNamespace: 'sagemaker', resourceId: 'endpoint/Churn-EP/variant/AllTraffic' };
      }),
    ).toEqual([
      {
        collector: 'sagemaker',
        type: 'resource',
        resource: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/churn-ep`,
        name: 'Churn-EP',
      },
    ]);
  });

  it("re-collects the account, not a user named after the alias, for root's own key and MFA calls", () => {
    // Prepare / Act: for a Root identity userName is the account alias
    const asRoot = (eventName: string) =>
      scopes(eventName, (detail) => {
        detail.requestParameters = null;
        detail.userIdentity = {
          type: 'Root',
          principalId: ACCOUNT,
          arn: `arn:aws:iam::${ACCOUNT}:root`,
          accountId: ACCOUNT,
          userName: 'my-company-alias',
        };
      });

    // Assess
    for (const eventName of ['CreateAccessKey', 'DeactivateMFADevice', 'DeleteAccessKey', 'EnableMFADevice'])
      expect(asRoot(eventName)).toEqual([{ collector: 'iam', type: 'resource', resource: `arn:aws:iam::${ACCOUNT}:root` }]);
  });

  it('re-collects the old and the new name of a renamed user or group', () => {
    expect(
      scopes('UpdateUser', (detail) => {
        detail.requestParameters = { userName: 'alice', newUserName: 'alice.smith' };
        detail.responseElements = null;
      }),
    ).toEqual([
      { collector: 'iam', type: 'resource', resource: `arn:aws:iam::${ACCOUNT}:user/alice` },
      { collector: 'iam', type: 'resource', resource: `arn:aws:iam::${ACCOUNT}:user/alice.smith` },
    ]);
    expect(
      scopes('UpdateGroup', (detail) => {
        detail.requestParameters = { groupName: 'ml', newGroupName: 'ml-engineers' };
        detail.responseElements = null;
      }),
    ).toEqual([
      { collector: 'iam', type: 'resource', resource: `arn:aws:iam::${ACCOUNT}:group/ml` },
      { collector: 'iam', type: 'resource', resource: `arn:aws:iam::${ACCOUNT}:group/ml-engineers` },
    ]);
  });

  it.each([
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['eu-west-1', 'aws'],
  ])('builds ARNs in the partition of the event (%s -> %s)', (region, partition) => {
    // Prepare / Act: no caller ARN (an AWS service), so the region decides
    const resolve = (name: string, detailChange: (detail: Record<string, unknown>) => void) =>
      scopes(name, (detail) => {
        detail.awsRegion = region;
        detail.userIdentity = { type: 'AWSService', invokedBy: 'sagemaker.amazonaws.com' };
        detailChange(detail);
      });

    // Assess
    expect(resolve('PutBucketEncryption', () => undefined)).toEqual([
      { collector: 's3', type: 'resource', resource: `arn:${partition}:s3:::ml-training-data` },
    ]);
    expect(resolve('DisableKeyRotation', () => undefined)).toEqual([
      {
        collector: 'kms',
        type: 'resource',
        resource: `arn:${partition}:kms:${region}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      },
    ]);
    expect(resolve('UpdateAccountPasswordPolicy', () => undefined)).toEqual([
      { collector: 'iam', type: 'resource', resource: `arn:${partition}:iam::${ACCOUNT}:root` },
    ]);
  });

  it('takes the partition from the caller ARN when there is one', () => {
    expect(
      scopes('AttachRolePolicy', (detail) => {
        detail.userIdentity = { type: 'IAMUser', arn: `arn:aws-cn:iam::${ACCOUNT}:user/ops`, userName: 'ops' };
        detail.awsRegion = 'cn-northwest-1';
      }),
    ).toEqual([{ collector: 'iam', type: 'resource', resource: `arn:aws-cn:iam::${ACCOUNT}:role/SageMakerExecutionRole` }]);
  });

  it('leaves EC2 Auto Scaling calls (same event source, no application-autoscaling service) unmapped', () => {
    expect(
      resolveTargets(
        detailOf('PutScalingPolicy', (detail) => {
          delete detail.additionalEventData;
          detail.requestParameters = { autoScalingGroupName: 'web', policyName: 'scale-out' };
        }),
        'us-east-1',
      ),
    ).toEqual({ kind: 'unmapped' });
  });

  it('maps alarms and scaling to the endpoint they concern, or ignores them when they concern none', () => {
    // Prepare / Act
    const alarm = scopes('PutMetricAlarm');
    const otherAlarm = scopes('PutMetricAlarm', (detail) => {
      detail.requestParameters = { alarmName: 'cpu', namespace: 'AWS/EC2', dimensions: [{ name: 'InstanceId', value: 'i-1' }] };
    });
    const scaling = scopes('PutScalingPolicy');
    const otherScaling = scopes('PutScalingPolicy', (detail) => {
      detail.requestParameters = { serviceNamespace: 'ecs', resourceId: 'service/default/web' };
    });

    // Assess
    const endpoint = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/churn-endpoint`;
    expect(alarm).toEqual([{ collector: 'sagemaker', type: 'resource', resource: endpoint, name: 'churn-endpoint' }]);
    expect(otherAlarm).toMatchObject({ kind: 'irrelevant' });
    expect(scaling).toEqual([{ collector: 'sagemaker', type: 'resource', resource: endpoint, name: 'churn-endpoint' }]);
    expect(otherScaling).toMatchObject({ kind: 'irrelevant' });
  });

  it('re-collects the whole region when the resource cannot be derived (DeleteAlarms, or a name missing)', () => {
    expect(scopes('DeleteAlarms')).toEqual([{ collector: 'sagemaker', type: 'all' }]);
    expect(
      scopes('DisableKeyRotation', (detail) => {
        detail.requestParameters = null;
      }),
    ).toEqual([{ collector: 'kms', type: 'all' }]);
  });

  it('reports an event name outside the map as unmapped', () => {
    expect(
      resolveTargets(
        detailOf('DisableKeyRotation', (detail) => {
          detail.eventName = 'Decrypt';
        }),
        'us-east-1',
      ),
    ).toEqual({ kind: 'unmapped' });
  });

  it('reads filtered array paths', () => {
    expect(
      valuesAt(
        {
          d: [
            { name: 'A', value: 1 },
            { name: 'B', value: 2 },
          ],
        },
        'd[name=B].value',
      ),
    ).toEqual([2]);
    expect(valuesAt({ d: [{ v: 1 }, { v: 2 }] }, 'd[].v')).toEqual([1, 2]);
    expect(valuesAt({ d: 'x' }, 'd.e')).toEqual([]);
  });
});
