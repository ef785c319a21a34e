import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsClientFactory } from '../../../lambdas/aws/clients';
import { parseConfig } from '../../../lambdas/config/schema';
import { handleChangeEvents } from '../../../lambdas/events/change-path';
import { decodeEvidence } from '../../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import { FIXTURE_ACCOUNT } from '../../fixtures/cloudtrail-real';

const guardDuty = mockClient(GuardDutyClient);
const RECORD = readFileSync(join(__dirname, '../../fixtures/cloudtrail-real/guardduty/DeleteDetector.AssumedRole.json'), 'utf8');

beforeEach(() => guardDuty.reset());

describe('turning GuardDuty off is a change event', () => {
  it('re-collects GuardDuty in the event region and records the deletion as the cause, naming the principal', async () => {
    // Prepare: after DeleteDetector, ListDetectors answers none
    guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    const store = await LocalDirectoryStore.open(mkdtempSync(join(tmpdir(), 'guardduty-change-')));
    const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

    // Act
    const result = await handleChangeEvents([{ id: 'm1', body: RECORD }], {
      store,
      clients: new AwsClientFactory({
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }),
      }),
      config: parseConfig({ regions: ['us-east-1', 'eu-west-1'] }),
      account: FIXTURE_ACCOUNT,
      homeRegion: 'us-east-1',
      delayMs: 0,
      sleep: async () => undefined,
      clock: () => new Date('2026-11-30T09:15:00.000Z'),
      logger: silent,
    });

    // Assess
    expect(result.recollections).toMatchObject([{ collector: 'guardduty', region: 'eu-west-1', resources: 0, errors: 0 }]);
    const record = decodeEvidence((await store.get(result.recollections[0]!.key!))!);
    expect(record).toMatchObject({
      collector: { name: 'guardduty' },
      region: 'eu-west-1',
      scope: { type: 'all' },
      resources: [],
      trigger: {
        type: 'event',
        eventName: 'DeleteDetector',
        eventSource: 'guardduty.amazonaws.com',
        principal: `arn:aws:sts::${FIXTURE_ACCOUNT}:assumed-role/MlPlatformAdmin/MySessionName`,
      },
    });
  });
});
