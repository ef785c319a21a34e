import { BackupClient, ListBackupPlansCommand, ListRestoreTestingPlansCommand } from '@aws-sdk/client-backup';
import { GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { BatchGetAccountStatusCommand, Inspector2Client } from '@aws-sdk/client-inspector2';
import {
  GetAutomatedDiscoveryConfigurationCommand,
  GetMacieSessionCommand,
  ListClassificationJobsCommand,
  Macie2Client,
} from '@aws-sdk/client-macie2';
import { DescribeHubCommand, InvalidAccessException, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { loadCatalog } from '../../../lambdas/catalog/catalog';
import { ALL_CHECKS } from '../../../lambdas/checks/registry';
import { COLLECTORS } from '../../../lambdas/collectors/registry';
import type { CollectorOutput } from '../../../lambdas/collectors/types';
import { parseConfig } from '../../../lambdas/config/schema';
import { COLLECTOR_NAMES, type CollectorName, type EvidenceRecord, GLOBAL_REGION } from '../../../lambdas/evidence/record';
import { evaluate } from '../../../lambdas/report/evaluate';
import type { StoredEvidence } from '../../../lambdas/report/snapshots';
import { mockedCollectorContext } from '../../helpers/collector-context';

/**
 * Issue 16's "done when": an account with GuardDuty off, Macie covering no ML bucket, no backup
 * plan and Security Hub off. Each mapped check is FAIL on the right resource and each of its
 * items is FAIL; a service that answers AccessDenied is ERROR for its own checks only. The
 * security services answer through aws-sdk-client-mock with documented shapes (moto does not
 * serve Macie's discovery, Security Hub's standards or Backup's restore testing).
 */
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const BUCKET = 'arn:aws:s3:::ml-training-data';
const NOW = new Date('2026-11-26T12:00:00.000Z');
const SECURITY_COLLECTORS: CollectorName[] = ['guardduty', 'securityhub', 'inspector', 'backup', 'macie'];

const guardDuty = mockClient(GuardDutyClient);
const securityHub = mockClient(SecurityHubClient);
const inspector = mockClient(Inspector2Client);
const backup = mockClient(BackupClient);
const macie = mockClient(Macie2Client);

function account() {
  guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
  securityHub
    .on(DescribeHubCommand)
    .rejects(new InvalidAccessException({ message: `Account ${ACCOUNT} is not subscribed to AWS Security Hub`, $metadata: {} }));
  const disabled = { status: 'DISABLED' as const, errorCode: undefined, errorMessage: undefined };
  inspector.on(BatchGetAccountStatusCommand).resolves({
    accounts: [{ accountId: ACCOUNT, state: disabled, resourceState: { ec2: disabled, ecr: disabled, lambda: disabled } }],
  });
  backup.on(ListBackupPlansCommand).resolves({ BackupPlansList: [] });
  backup.on(ListRestoreTestingPlansCommand).resolves({ RestoreTestingPlans: [] });
  macie.on(GetMacieSessionCommand).resolves({ status: 'ENABLED' });
  macie.on(GetAutomatedDiscoveryConfigurationCommand).resolves({ status: 'DISABLED' });
  macie.on(ListClassificationJobsCommand).resolves({ items: [] });
}

let sequence = 0;
function stored(collector: CollectorName, output: Pick<CollectorOutput, 'resources' | 'errors'>): StoredEvidence {
  sequence += 1;
  const record: EvidenceRecord = {
    schema: 'evidence/v1',
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    collector: { name: collector, version: '1.0.0' },
    account: ACCOUNT,
    region: COLLECTORS[collector].global ? GLOBAL_REGION : REGION,
    collectedAt: '2026-11-26T11:00:00.000Z',
    trigger: { type: 'schedule' },
    scope: { type: 'all' },
    resources: output.resources,
    errors: output.errors,
    notes: [],
    deleted: [],
    calls: 1,
  };
  return { record, evidence: { key: `evidence/v1/collector=${collector}/${sequence}.json.gz`, sha256: 'a'.repeat(64) } };
}

/** The ML bucket (listed in config) without versioning or replication, and an empty SageMaker region: the ML scope is whole. */
const baseline = (): StoredEvidence[] => [
  stored('s3', {
    errors: [],
    resources: [
      {
        arn: BUCKET,
        type: 'AWS::S3::Bucket',
        region: REGION,
        tags: {},
        configuration: { name: 'ml-training-data', versioning: { status: 'Disabled', mfaDelete: false }, replication: null },
      },
    ],
  }),
  stored('sagemaker', { resources: [], errors: [] }),
];

async function report() {
  const evidence = [...baseline()];
  for (const name of SECURITY_COLLECTORS) evidence.push(stored(name, await COLLECTORS[name].collect(mockedCollectorContext())));
  return evaluate({
    evidence,
    manualEvidence: [],
    catalog: loadCatalog({ checkIds: ALL_CHECKS.map((c) => c.id) }),
    checks: ALL_CHECKS,
    config: parseConfig({ regions: [REGION], mlBuckets: ['ml-training-data'] }),
    now: NOW,
    globalCollectors: COLLECTOR_NAMES.filter((c) => COLLECTORS[c].global),
  });
}

/** Each security check with the resource its finding is on and the items it maps into. */
const EXPECTED: [string, string, string[]][] = [
  ['guardduty.s3_protection', ROOT, ['SEC-IS-5', 'CONF-DP-5']],
  ['securityhub.enabled', ROOT, ['CONF-SD-5']],
  ['inspector.ml_scanning', ROOT, ['SEC-IS-3', 'CONF-SD-2']],
  ['macie.ml_bucket_discovery', BUCKET, ['PRIV-CM-4', 'CONF-DP-1']],
  ['backup.ml_data_protected', BUCKET, ['AVL-SR-3', 'AVL-SR-2']],
  ['backup.restore_tested', ROOT, ['AVL-SR-5']],
];

beforeEach(() => {
  for (const mock of [guardDuty, securityHub, inspector, backup, macie]) mock.reset();
  account();
});

describe('security services against an account where they are off', () => {
  it.each(EXPECTED)('%s is FAIL on %s and its items are FAIL', async (check, resource, items) => {
    // Act
    const result = await report();

    // Assess
    for (const id of items) {
      const item = result.items.find((i) => i.id === id)!;
      expect(item.findings.filter((f) => f.check === check).map((f) => [f.resource, f.status])).toEqual([[resource, 'FAIL']]);
      expect(item.status).toBe('FAIL');
    }
  });

  it('gives ERROR for the checks of a service that answers AccessDenied, and leaves the others as they were', async () => {
    // Prepare
    const before = await report();
    guardDuty.reset();
    guardDuty.on(ListDetectorsCommand).rejects(
      Object.assign(
        new Error(`User: arn:aws:sts::${ACCOUNT}:assumed-role/collector/x is not authorized to perform: guardduty:ListDetectors`),
        {
          name: 'AccessDeniedException',
          $metadata: { httpStatusCode: 403 },
        },
      ),
    );

    // Act
    const after = await report();

    // Assess
    const statuses = (result: typeof before) =>
      Object.fromEntries(
        EXPECTED.map(([check]) => [
          check,
          [
            ...new Set(
              result.items
                .flatMap((i) => i.findings)
                .filter((f) => f.check === check)
                .map((f) => f.status),
            ),
          ],
        ]),
      );
    expect(statuses(after)).toEqual({ ...statuses(before), 'guardduty.s3_protection': ['ERROR'] });
    const finding = after.items.flatMap((i) => i.findings).find((f) => f.check === 'guardduty.s3_protection')!;
    expect(finding).toMatchObject({
      resource: ROOT,
      region: REGION,
      detail: expect.stringContaining('guardduty:ListDetectors failed with AccessDeniedException'),
    });
  });
});
