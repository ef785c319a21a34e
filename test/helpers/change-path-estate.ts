import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateKeyCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { runCliCaptured } from './cli';
import { EMULATOR_ACCOUNT, emulatorClients, type MotoServer } from './moto';
import { startSlackReceiver } from './slack-receiver';
import { useScratchDirectory } from './write-access';

const FIXTURES = join(__dirname, '..', 'fixtures', 'events');
/** The principal of the CloudTrail event fixtures. */
export const FIXTURE_PRINCIPAL = `arn:aws:sts::${EMULATOR_ACCOUNT}:assumed-role/PlatformAdmin/jane.doe`;

export interface ChangePathSandbox {
  /** A fresh directory per test (removed after it), holding the CLI's configuration home. */
  readonly dir: string;
  readonly receiver: Awaited<ReturnType<typeof startSlackReceiver>>;
}

/** Registers jest hooks giving every test a scratch directory and a local Slack receiver. */
export function useChangePathSandbox(): ChangePathSandbox {
  const scratch = useScratchDirectory('soc2-change-');
  let receiver: ChangePathSandbox['receiver'] | undefined;
  beforeEach(async () => {
    receiver = await startSlackReceiver();
  });
  afterEach(async () => {
    await receiver?.close();
  });
  return {
    get dir() {
      return scratch();
    },
    get receiver() {
      if (!receiver) throw new Error('the Slack receiver exists only inside a test');
      return receiver;
    },
  };
}

/** The fixture of an event name, pointed at a real key, with its own event id and the current time. */
export async function keyRotationEventFile(
  dir: string,
  name: 'DisableKeyRotation' | 'EnableKeyRotation',
  keyId: string,
  eventId: string,
): Promise<string> {
  const event = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
  event.detail.requestParameters = { keyId };
  event.detail.eventID = eventId;
  event.detail.eventTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const path = join(dir, `${eventId}.json`);
  await writeFile(path, JSON.stringify(event));
  return path;
}

/**
 * An emulated account with one bucket and one KMS key with rotation on, collected and reported
 * into a local store, so that every finding has its baseline before the first event.
 */
export async function rotatingKeyEstate(moto: MotoServer, dir: string) {
  const clients = emulatorClients(moto.url);
  await clients.s3().send(new CreateBucketCommand({ Bucket: 'ml-training-data' }));
  const kms = clients.kms('us-east-1');
  const key = await kms.send(new CreateKeyCommand({ Description: 'training data key' }));
  const keyId = key.KeyMetadata!.KeyId!;
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
  const store = join(dir, 'evidence');
  const common = ['--endpoint-url', moto.url, '--region', 'us-east-1'];
  const scope = ['--collectors', 's3,kms', '--regions', 'us-east-1', '--store', store];
  expect((await runCliCaptured([...common, '--quiet', 'collect', ...scope])).status).toBe(0);
  expect((await runCliCaptured([...common, '--quiet', 'report', '--store', store, '--out', join(dir, 'report')])).status).toBe(0);
  return { kms, keyId, keyArn: key.KeyMetadata!.Arn!, store, common };
}
