import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsClientFactory } from '../../../lambdas/aws/clients';
import { parseConfig } from '../../../lambdas/config/schema';
import { type ChangeMessage, handleChangeEvents } from '../../../lambdas/events/change-path';
import { parseCloudTrailEvent } from '../../../lambdas/events/cloudtrail-event';
import { changeEventGroups } from '../../../lambdas/events/event-map';
import { resolveTargets } from '../../../lambdas/events/targets';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import { FIXTURE_ACCOUNT, REAL_SHAPE_FIXTURES } from '../../fixtures/cloudtrail-real';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'cloudtrail-real');
const HOME_REGION = 'us-east-1';
const sageMaker = mockClient(SageMakerClient);

const load = (file: string) => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));

async function changePath(
  credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string }>,
  configInput: Record<string, unknown> = {},
) {
  const store = await LocalDirectoryStore.open(mkdtempSync(join(tmpdir(), 'real-shape-')));
  const sleeps: number[] = [];
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const run = (messages: ChangeMessage[]) =>
    handleChangeEvents(messages, {
      store,
      clients: new AwsClientFactory({ region: HOME_REGION, maxAttempts: 1, credentials }),
      config: parseConfig({ regions: ['us-east-1', 'eu-west-1', 'us-west-2'], ...configInput }),
      account: FIXTURE_ACCOUNT,
      homeRegion: HOME_REGION,
      delayMs: 1000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      clock: () => new Date('2026-11-30T09:15:00.000Z'),
      logger: silent,
    });
  return { run, sleeps };
}

beforeEach(() => {
  sageMaker.reset();
});

describe('real-shape CloudTrail records (test/fixtures/cloudtrail-real)', () => {
  const recollected = REAL_SHAPE_FIXTURES.filter((f) => f.expected.handling !== 'ignored');

  it('covers every rule of the event map with a routed record per caller type: IAM user, assumed role, root', () => {
    // Act
    const covered = changeEventGroups().map((group) => {
      const rule = [group.eventSource, ...(group.service ? [group.service] : [])].join(' ');
      const identities = REAL_SHAPE_FIXTURES.filter((f) => f.rule === rule && f.expected.handling !== 'ignored').map(
        (f) => f.identity,
      );
      return [rule, [...new Set(identities)].sort()];
    });

    // Assess
    expect(covered).toEqual(covered.map(([rule]) => [rule, ['AssumedRole', 'IAMUser', 'Root']]));
  });

  it.each(recollected.map((f) => [f.file, f]))('%s resolves to the documented resource', (file, fixture) => {
    // Prepare
    const parsed = parseCloudTrailEvent(load(file));
    if (!parsed.ok) throw new Error(`${file}: ${parsed.problem}`);

    // Act
    const resolution = resolveTargets(parsed.event.detail, HOME_REGION);

    // Assess
    expect(resolution.kind).toBe('targets');
    if (resolution.kind !== 'targets') return;
    const { expected } = fixture;
    if (expected.handling === 'recollect')
      expect(
        resolution.targets.map(({ collector, scope }) => ({
          collector,
          resource: scope.type === 'resource' ? scope.resource : '*',
          ...(scope.type === 'resource' && scope.name ? { name: scope.name } : {}),
        })),
      ).toEqual(expected.targets);
    if (expected.handling === 'recollect-all')
      expect(resolution.targets).toEqual([{ collector: expected.collector, region: expected.region, scope: { type: 'all' } }]);
  });

  it('keeps every record that must be ignored (failed call, other account, unmapped, unrelated) silent, with no AWS call and no wait', async () => {
    // Prepare: any AWS call would need credentials
    const credentials = jest.fn(async () => {
      throw new Error('no AWS call may be made for an ignored record');
    });
    const { run, sleeps } = await changePath(credentials);
    const messages = REAL_SHAPE_FIXTURES.filter((f) => f.expected.handling === 'ignored').map((f) => ({
      id: f.file,
      body: JSON.stringify(load(f.file)),
    }));

    // Act
    const result = await run(messages);

    // Assess: records that are not CloudTrail API calls are rejected by the parser (never queued by a rule)
    const notApiCalls = ['kms/RotateKey.ServiceEvent.json', 'cloudwatch/AlarmStateChange.json'];
    expect(result.outcomes.map((o) => [o.id, o.status])).toEqual(
      messages.map((m) => [m.id, notApiCalls.includes(m.id) ? 'rejected' : 'ignored']),
    );
    expect(result.recollections).toEqual([]);
    expect(result.calls).toBe(0);
    expect(credentials).not.toHaveBeenCalled();
    expect(sleeps).toEqual([]);
  });

  it('describes a mixed-case SageMaker endpoint by the name in the record, not the lower-cased ARN name', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves({
      EndpointName: 'Churn-Endpoint',
      EndpointArn: `arn:aws:sagemaker:us-west-2:${FIXTURE_ACCOUNT}:endpoint/churn-endpoint`,
      EndpointConfigName: 'Churn-Endpoint-Config-v3',
      EndpointStatus: 'InService',
      CreationTime: new Date('2026-11-30T09:14:05Z'),
      LastModifiedTime: new Date('2026-11-30T09:14:05Z'),
    });
    const { run } = await changePath(async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }));

    // Act
    const result = await run([{ id: 'm', body: JSON.stringify(load('sagemaker/CreateEndpoint.AssumedRole.json')) }]);

    // Assess
    expect(sageMaker.commandCalls(DescribeEndpointCommand).map((c) => c.args[0].input)).toEqual([
      { EndpointName: 'Churn-Endpoint' },
    ]);
    expect(result.recollections[0]).toMatchObject({ deleted: [] });
  });

  it("assumes a member account's role in the partition the record was written in (aws-cn)", async () => {
    // Prepare: a member account's change in China; no AWS here, so the assumption fails and names the role
    const member = '444455556666';
    const organization = { enabled: true, organizationId: 'o-a1b2c3d4e5', externalId: 'acme', accounts: [member] };
    const { run } = await changePath(async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }), { organization });
    const record = load('iam/AttachUserPolicy.IAMUser.aws-cn.json');
    record.account = member;
    record.detail.recipientAccountId = member;
    record.detail.userIdentity.accountId = member;
    record.detail.userIdentity.arn = `arn:aws-cn:iam::${member}:user/Alice`;

    // Act
    const result = await run([{ id: 'cn', body: JSON.stringify(record) }]);

    // Assess
    expect(result.outcomes[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining(`sts:AssumeRole arn:aws-cn:iam::${member}:role/soc2-ml-evidence-collector:`),
    });
  });
});
