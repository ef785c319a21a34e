import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandler } from '@smithy/types';
import { AwsClientFactory } from '../../lambdas/aws/clients';
import * as environment from '../../lambdas/cli/environment';
import { parseConfig } from '../../lambdas/config/schema';
import { handleChangeEvents } from '../../lambdas/events/change-path';
import { readEvidence } from '../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../lambdas/evidence/local-store';
import { runCliCaptured } from '../helpers/cli';
import { EMULATOR_ACCOUNT, EMULATOR_REGION, emulatorClients, FAKE_CREDENTIALS, useMoto } from '../helpers/moto';

const moto = useMoto();
const ACCOUNTS = ['111111111111', '222222222222', '333333333333'] as const;
const ROLE_NAME = 'soc2-ml-evidence-collector';
const trustPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${EMULATOR_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
});

/** An administrator session in an account of the emulator (moto binds assumed credentials to the role's account). */
const adminOf = (account: string) =>
  emulatorClients(moto().url).assumingRole({
    roleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`,
    sessionName: 'seed',
  });

async function roleExists(account: string, roleName: string): Promise<boolean> {
  try {
    await adminOf(account)
      .iam()
      .send(new GetRoleCommand({ RoleName: roleName }));
    return true;
  } catch {
    return false;
  }
}

/**
 * moto's AssumeRole succeeds whether or not the role exists; AWS answers AccessDenied. This
 * handler sends everything to moto but answers AssumeRole of a role that moto does not hold
 * the way AWS does, so the CLI meets the real failure.
 */
function awsLikeAssumeRole(): RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions> {
  const network = new NodeHttpHandler();
  const handle = async (request: HttpRequest, options?: HttpHandlerOptions) => {
    const body = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
    const roleArn = body.get('RoleArn');
    const [, , , , account, resource] = roleArn?.split(':') ?? [];
    if (body.get('Action') === 'AssumeRole' && account && !(await roleExists(account, resource!.replace(/^role\//, '')))) {
      const xml = `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::${EMULATOR_ACCOUNT}:user/moto is not authorized to perform: sts:AssumeRole on resource: ${roleArn}</Message></Error><RequestId>1</RequestId></ErrorResponse>`;
      const response = {
        statusCode: 403,
        headers: { 'content-type': 'text/xml' },
        body: Readable.from([Buffer.from(xml)]),
      } as unknown as HttpResponse;
      return { response };
    }
    // The SDK passes its own HttpRequest class; @smithy/types declares the interface it implements.
    return network.handle(request as Parameters<NodeHttpHandler['handle']>[0], options);
  };
  return { handle };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'soc2-multi-'));
  process.env.XDG_CONFIG_HOME = join(dir, 'config-home');
  jest.spyOn(environment, 'clientFactory').mockImplementation(
    (_options, config, region) =>
      new AwsClientFactory({
        region,
        endpointUrl: moto().url,
        maxAttempts: config.collection.maxAttempts,
        credentials: FAKE_CREDENTIALS,
        requestHandler: awsLikeAssumeRole(),
      }),
  );
});
afterEach(async () => {
  jest.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('soc2-ml collect --accounts --role-name against the emulator', () => {
  it('collects each account through its role, and records an account without the role as errors of that account only', async () => {
    // Prepare: the collector role in the first two accounts only, one bucket per account
    for (const account of ACCOUNTS) {
      const admin = adminOf(account);
      if (account !== ACCOUNTS[2])
        await admin.iam().send(new CreateRoleCommand({ RoleName: ROLE_NAME, AssumeRolePolicyDocument: trustPolicy }));
      await admin.s3().send(new CreateBucketCommand({ Bucket: `training-data-${account}` }));
    }
    const storeDir = join(dir, 'evidence');

    // Act
    const run = await runCliCaptured([
      '--endpoint-url',
      moto().url,
      '--region',
      EMULATOR_REGION,
      '--json',
      'collect',
      '--collectors',
      's3,kms',
      '--accounts',
      ACCOUNTS.join(','),
      '--role-name',
      ROLE_NAME,
      '--external-id',
      'acme-soc2',
      '--store',
      storeDir,
    ]);

    // Assess: the unreachable account's failed calls make the run exit 1 (CONTRACT.md), with a summary.
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^soc2-ml: 2 calls failed: sts:AssumeRole \(AccessDenied\) x2; /);
    const summary = JSON.parse(run.stdout) as {
      runs: { account: string; collector: string; region: string; key: string; errors: number }[];
    };
    expect(summary.runs.map((r) => `${r.account} ${r.collector} ${r.region}`)).toEqual(
      ACCOUNTS.flatMap((a) => [`${a} s3 global`, `${a} kms ${EMULATOR_REGION}`]),
    );
    const store = await LocalDirectoryStore.open(storeDir);
    for (const [index, account] of ACCOUNTS.entries()) {
      const s3Run = summary.runs.find((r) => r.account === account && r.collector === 's3')!;
      expect(s3Run.key).toMatch(new RegExp(`^evidence/v1/collector=s3/account=${account}/region=global/`));
      const record = await readEvidence(store, s3Run.key);
      if (index < 2) {
        expect(record?.errors).toEqual([]);
        expect(record?.resources.map((r) => r.arn)).toContain(`arn:aws:s3:::training-data-${account}`);
        expect(record?.resources.map((r) => r.arn)).not.toContain(`arn:aws:s3:::training-data-${ACCOUNTS[1 - index]}`);
      } else {
        expect(record?.resources).toEqual([]);
        expect(record?.errors).toEqual([
          expect.objectContaining({
            api: 'sts:AssumeRole',
            resource: `arn:aws:iam::${account}:role/${ROLE_NAME}`,
            code: 'AccessDenied',
          }),
        ]);
      }
    }
    const failedKms = summary.runs.find((r) => r.account === ACCOUNTS[2] && r.collector === 'kms')!;
    expect(failedKms.key).toMatch(new RegExp(`^evidence/v1/collector=kms/account=${ACCOUNTS[2]}/region=${EMULATOR_REGION}/`));
    expect(failedKms.errors).toBe(1);
  }, 60_000);
});

describe('--accounts usage', () => {
  it.each([
    [['--accounts', '111111111111'], /--accounts needs --role-name/],
    [['--role-name', 'x'], /--role-name and --external-id need --accounts/],
    [['--accounts', '1111,abc', '--role-name', 'x'], /12-digit account ids, not 1111, abc/],
  ])('%j exits 2', async (args, message) => {
    // Act
    const run = await runCliCaptured(['--endpoint-url', moto().url, 'collect', '--store', join(dir, 's'), ...args]);
    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('the change path with organization enabled', () => {
  it('re-collects a member account resource through the member role, under that account', async () => {
    // Prepare
    const member = ACCOUNTS[0];
    const admin = adminOf(member);
    await admin.iam().send(new CreateRoleCommand({ RoleName: ROLE_NAME, AssumeRolePolicyDocument: trustPolicy }));
    await admin.s3().send(new CreateBucketCommand({ Bucket: 'ml-training-data' }));
    const event = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', 'CreateBucket.json'), 'utf8'));
    event.account = member;
    event.detail.recipientAccountId = member;
    const store = await LocalDirectoryStore.open(join(dir, 'evidence'));
    const config = parseConfig({
      organization: {
        enabled: true,
        organizationId: 'o-a1b2c3d4e5',
        externalId: 'acme-soc2',
        accounts: [member],
        memberRoleName: ROLE_NAME,
      },
    });
    const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

    // Act
    const result = await handleChangeEvents([{ id: 'm1', body: event }], {
      store,
      clients: environment.clientFactory({ endpointUrl: moto().url }, config, EMULATOR_REGION),
      config,
      account: EMULATOR_ACCOUNT,
      homeRegion: EMULATOR_REGION,
      delayMs: 0,
      sleep: async () => undefined,
      clock: () => new Date(),
      logger: silent,
    });

    // Assess
    expect(result.outcomes[0]).toMatchObject({ status: 'recollected' });
    const key = result.recollections[0]!.key!;
    expect(key).toMatch(new RegExp(`^evidence/v1/collector=s3/account=${member}/`));
    const record = await readEvidence(store, key);
    expect(record?.resources.map((r) => r.arn)).toEqual(['arn:aws:s3:::ml-training-data']);
  });
});
