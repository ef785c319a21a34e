import { CreateTrailCommand, PutEventSelectorsCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CLOUDTRAIL_CHECKS } from '../../lambdas/checks/cloudtrail';
import { collectCloudTrail } from '../../lambdas/collectors/cloudtrail';
import { CLOUDTRAIL_TRAIL_TYPE } from '../../lambdas/evidence/resources/cloudtrail';
import { DEFAULT_TEST_SETTINGS, emulatorCollectorContext } from '../helpers/collector-context';
import { EMULATOR_ACCOUNT, emulatorClients, useMoto } from '../helpers/moto';
import { makeCheckContext, makeSnapshot } from '../helpers/snapshots';

const moto = useMoto();
/** The emulator loads each service on first use, which takes seconds on a busy machine. */
const EMULATOR_TEST_TIMEOUT_MS = 30_000;

describe('CloudTrail collector against the emulator', () => {
  it(
    'names the seeded multi-region trail with its status and selectors, and records no errors',
    async () => {
      // Prepare
      const clients = emulatorClients(moto().url);
      await clients.s3().send(new CreateBucketCommand({ Bucket: 'trail-logs' }));
      const cloudTrail = clients.cloudTrail('us-east-1');
      const created = await cloudTrail.send(
        new CreateTrailCommand({
          Name: 'org-audit',
          S3BucketName: 'trail-logs',
          IsMultiRegionTrail: true,
          EnableLogFileValidation: true,
          KmsKeyId: `arn:aws:kms:us-east-1:${EMULATOR_ACCOUNT}:key/11111111-2222-3333-4444-555555555555`,
        }),
      );
      await cloudTrail.send(new StartLoggingCommand({ Name: 'org-audit' }));
      await cloudTrail.send(
        new PutEventSelectorsCommand({
          TrailName: 'org-audit',
          EventSelectors: [
            {
              ReadWriteType: 'All',
              IncludeManagementEvents: true,
              DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::training-data/'] }],
            },
          ],
        }),
      );

      // Act
      const output = await collectCloudTrail(emulatorCollectorContext(clients));

      // Assess
      expect(output.errors).toEqual([]);
      expect(output.resources).toEqual([
        expect.objectContaining({
          arn: created.TrailARN,
          type: CLOUDTRAIL_TRAIL_TYPE,
          configuration: expect.objectContaining({
            name: 'org-audit',
            homeRegion: 'us-east-1',
            isShadow: false,
            isMultiRegion: true,
            logFileValidationEnabled: true,
            kmsKeyId: expect.stringContaining('11111111-2222'),
            status: expect.objectContaining({ isLogging: true }),
            eventSelectors: {
              basic: [
                {
                  readWriteType: 'All',
                  includeManagementEvents: true,
                  dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::training-data/'] }],
                  excludeManagementEventSources: [],
                },
              ],
              advanced: [],
            },
          }),
        }),
      ]);

      // The checks that read CloudTrail evidence alone read this evidence as collected.
      const snapshot = makeSnapshot({ collector: 'cloudtrail', account: EMULATOR_ACCOUNT, resources: output.resources });
      const findings = CLOUDTRAIL_CHECKS.filter((c) => c.collectors.join() === 'cloudtrail').flatMap((c) =>
        c.run(makeCheckContext([snapshot])),
      );
      expect(findings.map((f) => [f.check, f.status])).toEqual([
        ['ct.multi_region_logging', 'PASS'],
        ['ct.log_file_validation', 'PASS'],
        ['ct.kms_encrypted', 'PASS'],
        ['ct.cloudwatch_logs', 'FAIL'],
      ]);
    },
    EMULATOR_TEST_TIMEOUT_MS,
  );

  it(
    'sees the multi-region trail as a shadow trail from another region',
    async () => {
      // Prepare
      const clients = emulatorClients(moto().url);
      await clients.s3().send(new CreateBucketCommand({ Bucket: 'trail-logs' }));
      const created = await clients
        .cloudTrail('us-east-1')
        .send(new CreateTrailCommand({ Name: 'everywhere', S3BucketName: 'trail-logs', IsMultiRegionTrail: true }));

      // Act
      const output = await collectCloudTrail({
        account: EMULATOR_ACCOUNT,
        region: 'eu-west-1',
        scope: { type: 'all' },
        clients,
        clock: () => new Date(),
        settings: DEFAULT_TEST_SETTINGS,
      });

      // Assess
      expect({ errors: output.errors, notes: output.notes, deleted: output.deleted }).toEqual({
        errors: [],
        notes: [],
        deleted: [],
      });
      expect(output.resources).toEqual([
        expect.objectContaining({
          arn: created.TrailARN,
          region: 'eu-west-1',
          configuration: expect.objectContaining({ isShadow: true }),
        }),
      ]);
    },
    EMULATOR_TEST_TIMEOUT_MS,
  );
});
