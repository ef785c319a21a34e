import {
  BackupClient,
  CreateBackupPlanCommand,
  GetBackupSelectionCommand,
  GetRestoreTestingSelectionCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
  ListRestoreJobsCommand,
  ListRestoreTestingPlansCommand,
  ListRestoreTestingSelectionsCommand,
} from '@aws-sdk/client-backup';
import { GetDetectorCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { BatchGetAccountStatusCommand, Inspector2Client } from '@aws-sdk/client-inspector2';
import {
  AccessDeniedException,
  DescribeClassificationJobCommand,
  GetAutomatedDiscoveryConfigurationCommand,
  GetClassificationScopeCommand,
  GetMacieSessionCommand,
  ListClassificationJobsCommand,
  Macie2Client,
} from '@aws-sdk/client-macie2';
import {
  DescribeHubCommand,
  GetEnabledStandardsCommand,
  InvalidAccessException,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { collectBackup } from '../../../lambdas/collectors/backup';
import { collectGuardDuty } from '../../../lambdas/collectors/guardduty';
import { collectInspector } from '../../../lambdas/collectors/inspector';
import { collectMacie } from '../../../lambdas/collectors/macie';
import { collectSecurityHub } from '../../../lambdas/collectors/securityhub';
import { mockedCollectorContext } from '../../helpers/collector-context';

/**
 * Response shapes from the AWS SDK for JavaScript v3 models of each client (the same shapes the
 * API references document): GuardDuty GetDetector (Features[].Name S3_DATA_EVENTS), Security Hub
 * DescribeHub / GetEnabledStandards, Inspector BatchGetAccountStatus (accounts[].resourceState),
 * AWS Backup GetBackupSelection / GetRestoreTestingSelection / ListRestoreJobs, Macie
 * GetMacieSession / GetAutomatedDiscoveryConfiguration / DescribeClassificationJob.
 */
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const guardDuty = mockClient(GuardDutyClient);
const securityHub = mockClient(SecurityHubClient);
const inspector = mockClient(Inspector2Client);
const backup = mockClient(BackupClient);
const macie = mockClient(Macie2Client);

beforeEach(() => {
  for (const mock of [guardDuty, securityHub, inspector, backup, macie]) mock.reset();
});

describe('GuardDuty collector', () => {
  it('records the detector with the S3_DATA_EVENTS feature status', async () => {
    // Prepare
    guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: ['12abc34d567e8fa901bc2d34e56789f0'] });
    guardDuty.on(GetDetectorCommand).resolves({
      ServiceRole: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
      Status: 'ENABLED',
      Features: [
        { Name: 'CLOUD_TRAIL', Status: 'ENABLED' },
        { Name: 'S3_DATA_EVENTS', Status: 'DISABLED' },
      ],
    });
    // Act
    const output = await collectGuardDuty(mockedCollectorContext());
    // Assess
    expect(output.errors).toEqual([]);
    expect(output.resources).toEqual([
      {
        arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/12abc34d567e8fa901bc2d34e56789f0`,
        type: 'AWS::GuardDuty::Detector',
        region: REGION,
        configuration: {
          detectorId: '12abc34d567e8fa901bc2d34e56789f0',
          status: 'ENABLED',
          s3DataEvents: 'DISABLED',
          s3DataEventsSource: 'Features',
        },
        tags: {},
      },
    ]);
  });

  it('records no detector and no error when GuardDuty is off (ListDetectors is empty)', async () => {
    // Prepare
    guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    // Act
    const output = await collectGuardDuty(mockedCollectorContext());
    // Assess
    expect(output).toMatchObject({ resources: [], errors: [] });
  });
});

describe('Security Hub collector', () => {
  it('records the hub and its standards', async () => {
    // Prepare
    securityHub.on(DescribeHubCommand).resolves({
      HubArn: `arn:aws:securityhub:${REGION}:${ACCOUNT}:hub/default`,
      SubscribedAt: '2026-01-10T09:00:00.000Z',
      AutoEnableControls: true,
    });
    securityHub.on(GetEnabledStandardsCommand).resolves({
      StandardsSubscriptions: [
        {
          StandardsSubscriptionArn: `arn:aws:securityhub:${REGION}:${ACCOUNT}:subscription/aws-foundational-security-best-practices/v/1.0.0`,
          StandardsArn: `arn:aws:securityhub:${REGION}::standards/aws-foundational-security-best-practices/v/1.0.0`,
          StandardsInput: {},
          StandardsStatus: 'READY',
        },
      ],
    });
    // Act
    const output = await collectSecurityHub(mockedCollectorContext());
    // Assess
    expect(output.errors).toEqual([]);
    expect(output.resources[0]?.configuration).toEqual({
      subscribedAt: '2026-01-10T09:00:00.000Z',
      standards: [
        {
          standardsArn: `arn:aws:securityhub:${REGION}::standards/aws-foundational-security-best-practices/v/1.0.0`,
          status: 'READY',
        },
      ],
    });
  });

  it('takes "not subscribed" as a fact (no hub, a note) and a denied call as an error', async () => {
    // Prepare
    securityHub
      .on(DescribeHubCommand)
      .rejectsOnce(
        new InvalidAccessException({ message: `Account ${ACCOUNT} is not subscribed to AWS Security Hub`, $metadata: {} }),
      )
      .rejectsOnce(
        new InvalidAccessException({
          message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/collector/x is not authorized to perform: securityhub:DescribeHub`,
          $metadata: {},
        }),
      );
    // Act
    const off = await collectSecurityHub(mockedCollectorContext());
    const denied = await collectSecurityHub(mockedCollectorContext());
    // Assess
    expect(off).toMatchObject({ resources: [], errors: [], notes: [{ message: `Security Hub is not enabled in ${REGION}` }] });
    expect(denied.resources).toEqual([]);
    expect(denied.errors).toMatchObject([{ api: 'securityhub:DescribeHub', code: 'InvalidAccessException' }]);
  });
});

describe('Inspector collector', () => {
  it('records the status per resource type of the account', async () => {
    // Prepare
    const enabled = { status: 'ENABLED' as const, errorCode: 'ALREADY_ENABLED' as const, errorMessage: '' };
    const disabled = { status: 'DISABLED' as const, errorCode: 'ALREADY_ENABLED' as const, errorMessage: '' };
    inspector.on(BatchGetAccountStatusCommand).resolves({
      accounts: [{ accountId: ACCOUNT, state: enabled, resourceState: { ec2: disabled, ecr: enabled, lambda: disabled } }],
      failedAccounts: [],
    });
    // Act
    const output = await collectInspector(mockedCollectorContext());
    // Assess
    expect(output.errors).toEqual([]);
    expect(output.resources).toEqual([
      {
        arn: ROOT,
        type: 'AWS::Inspector2::AccountStatus',
        region: REGION,
        configuration: { status: 'ENABLED', resourceTypes: { ec2: 'DISABLED', ecr: 'ENABLED', lambda: 'DISABLED' } },
        tags: {},
      },
    ]);
  });

  it('records an error when the answer does not list the account', async () => {
    // Prepare
    inspector.on(BatchGetAccountStatusCommand).resolves({ accounts: [] });
    // Act
    const output = await collectInspector(mockedCollectorContext());
    // Assess
    expect(output.resources).toEqual([]);
    expect(output.errors).toMatchObject([{ api: 'inspector2:BatchGetAccountStatus', code: 'IncompleteAnswer' }]);
  });
});

describe('AWS Backup collector', () => {
  it('records plans with their selections, and restore testing plans with their latest completed restore', async () => {
    // Prepare
    const planArn = `arn:aws:backup:${REGION}:${ACCOUNT}:backup-plan:8a3f2e1c-0000-4b6e-9c51-2f1d0e7a9b10`;
    const testingArn = `arn:aws:backup:${REGION}:${ACCOUNT}:restore-testing-plan:ml_restore_test-a1b2c3`;
    backup.on(ListBackupPlansCommand).resolves({
      BackupPlansList: [
        { BackupPlanArn: planArn, BackupPlanId: '8a3f2e1c-0000-4b6e-9c51-2f1d0e7a9b10', BackupPlanName: 'ml-daily' },
      ],
    });
    backup
      .on(ListBackupSelectionsCommand)
      .resolves({ BackupSelectionsList: [{ SelectionId: 'sel-1', SelectionName: 'ml-buckets' }] });
    backup.on(GetBackupSelectionCommand).resolves({
      BackupSelection: {
        SelectionName: 'ml-buckets',
        IamRoleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/AWSBackupDefaultServiceRole`,
        Resources: ['arn:aws:s3:::ml-*'],
        ListOfTags: [{ ConditionType: 'STRINGEQUALS', ConditionKey: 'backup', ConditionValue: 'daily' }],
        NotResources: [],
        Conditions: { StringEquals: [{ ConditionKey: 'aws:ResourceTag/env', ConditionValue: 'prod' }] },
      },
    });
    backup.on(ListRestoreTestingPlansCommand).resolves({
      RestoreTestingPlans: [
        {
          RestoreTestingPlanArn: testingArn,
          RestoreTestingPlanName: 'ml_restore_test',
          CreationTime: new Date('2026-01-01T00:00:00Z'),
          ScheduleExpression: 'cron(0 5 ? * * *)',
        },
      ],
    });
    backup.on(ListRestoreTestingSelectionsCommand).resolves({
      RestoreTestingSelections: [
        {
          RestoreTestingPlanName: 'ml_restore_test',
          RestoreTestingSelectionName: 'ml_buckets',
          ProtectedResourceType: 'S3',
          CreationTime: new Date('2026-01-01T00:00:00Z'),
          IamRoleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/AWSBackupDefaultServiceRole`,
        },
      ],
    });
    backup.on(GetRestoreTestingSelectionCommand).resolves({
      RestoreTestingSelection: {
        RestoreTestingPlanName: 'ml_restore_test',
        RestoreTestingSelectionName: 'ml_buckets',
        ProtectedResourceType: 'S3',
        ProtectedResourceArns: ['*'],
        CreationTime: new Date('2026-01-01T00:00:00Z'),
        IamRoleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/AWSBackupDefaultServiceRole`,
      },
    });
    backup.on(ListRestoreJobsCommand).resolves({
      RestoreJobs: [
        { RestoreJobId: 'r-old', Status: 'COMPLETED', CompletionDate: new Date('2026-10-01T05:40:00Z'), ResourceType: 'S3' },
        { RestoreJobId: 'r-new', Status: 'COMPLETED', CompletionDate: new Date('2026-11-20T05:40:00Z'), ResourceType: 'S3' },
      ],
    });
    // Act
    const output = await collectBackup(mockedCollectorContext());
    // Assess
    expect(output.errors).toEqual([]);
    expect(output.resources.map((r) => r.configuration)).toEqual([
      {
        planId: '8a3f2e1c-0000-4b6e-9c51-2f1d0e7a9b10',
        name: 'ml-daily',
        selections: [
          {
            selectionId: 'sel-1',
            name: 'ml-buckets',
            resources: ['arn:aws:s3:::ml-*'],
            notResources: [],
            listOfTags: [{ type: 'STRINGEQUALS', key: 'backup', value: 'daily' }],
            conditions: [{ type: 'StringEquals', key: 'aws:ResourceTag/env', value: 'prod' }],
          },
        ],
      },
      {
        name: 'ml_restore_test',
        selections: [{ name: 'ml_buckets', protectedResourceType: 'S3', protectedResourceArns: ['*'], conditions: [] }],
        latestCompletedRestore: { restoreJobId: 'r-new', completionDate: '2026-11-20T05:40:00.000Z', resourceType: 'S3' },
      },
    ]);
    // Only this plan's completed restores of the last 365 days are asked for.
    expect(backup.commandCalls(ListRestoreJobsCommand)[0]!.args[0].input).toEqual({
      ByRestoreTestingPlanArn: testingArn,
      ByStatus: 'COMPLETED',
      ByCompleteAfter: new Date('2025-11-26T12:00:00.000Z'),
      MaxResults: 1000,
    });
    expect(backup.commandCalls(CreateBackupPlanCommand)).toEqual([]);
  });
});

describe('Macie collector', () => {
  it('records status, automated discovery with its exclusions, and jobs with their buckets and last run', async () => {
    // Prepare
    macie.on(GetMacieSessionCommand).resolves({ status: 'ENABLED', createdAt: new Date('2026-01-01T00:00:00Z') });
    macie.on(GetAutomatedDiscoveryConfigurationCommand).resolves({ status: 'ENABLED', classificationScopeId: 'scope-1' });
    macie.on(GetClassificationScopeCommand).resolves({
      id: 'scope-1',
      name: 'automated-sensitive-data-discovery',
      s3: { excludes: { bucketNames: ['logs-bucket'] } },
    });
    macie
      .on(ListClassificationJobsCommand)
      .resolves({ items: [{ jobId: 'job-1', name: 'pii-scan', jobStatus: 'IDLE', jobType: 'SCHEDULED' }] });
    macie.on(DescribeClassificationJobCommand).resolves({
      jobId: 'job-1',
      name: 'pii-scan',
      jobStatus: 'IDLE',
      jobType: 'SCHEDULED',
      lastRunTime: new Date('2026-11-01T03:00:00Z'),
      lastRunErrorStatus: { code: 'NONE' },
      s3JobDefinition: { bucketDefinitions: [{ accountId: ACCOUNT, buckets: ['ml-training-data'] }] },
    });
    // Act
    const output = await collectMacie(mockedCollectorContext());
    // Assess
    expect(output.errors).toEqual([]);
    expect(output.resources).toEqual([
      {
        arn: ROOT,
        type: 'AWS::Macie::Session',
        region: REGION,
        configuration: {
          status: 'ENABLED',
          automatedDiscovery: { status: 'ENABLED', excludedBuckets: ['logs-bucket'] },
          jobs: [
            {
              jobId: 'job-1',
              name: 'pii-scan',
              status: 'IDLE',
              type: 'SCHEDULED',
              lastRunTime: '2026-11-01T03:00:00.000Z',
              lastRunError: 'NONE',
              buckets: [{ account: ACCOUNT, name: 'ml-training-data' }],
              byCriteria: false,
            },
          ],
        },
        tags: {},
      },
    ]);
  });

  it('records "Macie is not enabled" as status NOT_ENABLED, and a permission denial as an error', async () => {
    // Prepare
    macie
      .on(GetMacieSessionCommand)
      .rejectsOnce(new AccessDeniedException({ message: 'Macie is not enabled.', $metadata: { httpStatusCode: 403 } }))
      .rejectsOnce(
        new AccessDeniedException({
          message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/collector/x is not authorized to perform: macie2:GetMacieSession`,
          $metadata: { httpStatusCode: 403 },
        }),
      );
    // Act
    const off = await collectMacie(mockedCollectorContext());
    const denied = await collectMacie(mockedCollectorContext());
    // Assess
    expect(off).toMatchObject({ errors: [], resources: [{ arn: ROOT, configuration: { status: 'NOT_ENABLED' } }] });
    expect(macie.commandCalls(ListClassificationJobsCommand)).toEqual([]);
    expect(denied.resources).toEqual([]);
    expect(denied.errors).toMatchObject([{ api: 'macie2:GetMacieSession', code: 'AccessDeniedException' }]);
  });
});
