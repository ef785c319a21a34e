import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsClientFactory } from '../../../lambdas/aws/clients';
import { parseConfig } from '../../../lambdas/config/schema';
import { readEvidence } from '../../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import { GLOBAL_REGION } from '../../../lambdas/evidence/record';
import type { EvidenceStore } from '../../../lambdas/evidence/store';
import { ASSUME_ROLE_API } from '../../../lambdas/organization/member-account';
import { collectMemberTask, type MemberTaskDeps, memberTaskResultSchema } from '../../../lambdas/organization/member-task';

const CENTRAL = '111122223333';
const MEMBER = '444455556666';
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/soc2-ml-evidence-collector`;
const COLLECTED_AT = new Date('2026-11-26T06:00:00.000Z');

const sts = mockClient(STSClient);
const kms = mockClient(KMSClient);

const config = parseConfig({
  regions: ['us-east-1', 'eu-west-1'],
  organization: { enabled: true, organizationId: 'o-a1b2c3d4e5', externalId: 'acme-soc2', accounts: [MEMBER] },
});

const centralClients = () =>
  new AwsClientFactory({
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: async () => ({ accessKeyId: 'central', secretAccessKey: 'central' }),
  });

const accessDenied = () =>
  Object.assign(
    new Error(
      `User: arn:aws:sts::${CENTRAL}:assumed-role/collector is not authorized to perform: sts:AssumeRole on ${MEMBER_ROLE}`,
    ),
    { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } },
  );

describe('collectMemberTask', () => {
  let dir: string;
  let store: LocalDirectoryStore;
  let deps: MemberTaskDeps;

  beforeEach(async () => {
    sts.reset();
    kms.reset();
    dir = await mkdtemp(join(tmpdir(), 'soc2-member-task-'));
    store = await LocalDirectoryStore.open(dir);
    deps = { config, clients: centralClients(), store, partition: 'aws', homeRegion: 'us-east-1', clock: () => COLLECTED_AT };
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('collects a reachable member account through the member role, in the task region, labelled with the member account', async () => {
    // Prepare
    const assumingRole = jest.spyOn(deps.clients, 'assumingRole');
    sts.on(GetCallerIdentityCommand).resolves({ Account: MEMBER, Arn: `arn:aws:sts::${MEMBER}:assumed-role/collector/s` });
    kms.on(ListKeysCommand).resolves({ Keys: [] });
    kms.on(ListAliasesCommand).resolves({ Aliases: [] });
    // Act
    const result = await collectMemberTask({ collector: 'kms', account: MEMBER, region: 'eu-west-1' }, deps);
    // Assess
    expect(assumingRole).toHaveBeenCalledWith({
      roleArn: MEMBER_ROLE,
      externalId: 'acme-soc2',
      sessionName: 'soc2-ml-fanout-kms',
    });
    expect(memberTaskResultSchema.parse(result)).toEqual({
      collector: 'kms',
      account: MEMBER,
      region: 'eu-west-1',
      status: 'collected',
      key: expect.stringContaining(MEMBER),
      resources: 0,
      errors: 0,
    });
    expect(await (kms.call(0).thisValue as KMSClient).config.region()).toBe('eu-west-1');
    const record = await readEvidence(store, result.key!);
    expect(record).toMatchObject({ account: MEMBER, region: 'eu-west-1', errors: [], trigger: { type: 'schedule' } });
  });

  it('records an unreachable member account as an evidence error naming the role, for that account only', async () => {
    // Prepare
    sts.on(GetCallerIdentityCommand).rejects(accessDenied());
    // Act
    const result = await collectMemberTask({ collector: 's3', account: MEMBER, region: GLOBAL_REGION }, deps);
    // Assess
    expect(result).toMatchObject({
      collector: 's3',
      account: MEMBER,
      status: 'unreachable',
      resources: 0,
      errors: 1,
      message: expect.stringMatching(/^AccessDenied: .*sts:AssumeRole/),
    });
    const record = await readEvidence(store, result.key!);
    expect(record).toMatchObject({ account: MEMBER, region: GLOBAL_REGION, resources: [] });
    expect(record?.errors).toEqual([
      { api: ASSUME_ROLE_API, resource: MEMBER_ROLE, code: 'AccessDenied', message: expect.stringContaining('not authorized') },
    ]);
  });

  it('refuses credentials that belong to another account, so that evidence never mislabels an account', async () => {
    // Prepare: a role trust or StackSet mix-up hands out the central account's identity
    sts.on(GetCallerIdentityCommand).resolves({ Account: CENTRAL });
    // Act
    const result = await collectMemberTask({ collector: 'kms', account: MEMBER, region: 'us-east-1' }, deps);
    // Assess
    expect(result).toMatchObject({ status: 'unreachable', message: expect.stringMatching(/^WrongAccount: /) });
    expect(kms).not.toHaveReceivedAnyCommand();
    const record = await readEvidence(store, result.key!);
    expect(record?.errors).toEqual([expect.objectContaining({ api: ASSUME_ROLE_API, code: 'WrongAccount' })]);
  });

  it('throws when the evidence cannot be stored, so that Step Functions retries the task', async () => {
    // Prepare
    sts.on(GetCallerIdentityCommand).rejects(accessDenied());
    const refusing: EvidenceStore = {
      location: 'memory://refusing',
      put: async () => {
        throw new Error('SlowDown: please reduce your request rate');
      },
      get: async () => undefined,
      async *list() {},
    };
    // Act
    const run = collectMemberTask({ collector: 'kms', account: MEMBER, region: 'us-east-1' }, { ...deps, store: refusing });
    // Assess
    await expect(run).rejects.toThrow('SlowDown');
  });
});
