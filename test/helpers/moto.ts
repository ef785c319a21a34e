import { AwsClientFactory } from '../../lambdas/aws/clients';
import { EMULATOR_REGION, type MotoServer, startMoto } from '../../lambdas/cli/emulator';

export { EMULATOR_ACCOUNT, EMULATOR_REGION, freePort, type MotoServer, startMoto } from '../../lambdas/cli/emulator';

/**
 * Registers jest hooks: one moto server per test file (so files can run in parallel),
 * reset before every test. Returns a getter because the server starts in beforeAll.
 */
export function useMoto(env: Record<string, string> = {}): () => MotoServer {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMoto(env);
  }, 60_000);
  beforeEach(async () => {
    await server?.reset();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('moto server not started');
    return server;
  };
}

export const FAKE_CREDENTIALS = async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' });

/** Clients pointed at the emulator: one attempt, since moto answers 500 for what it lacks. */
export function emulatorClients(url: string, region = EMULATOR_REGION): AwsClientFactory {
  return new AwsClientFactory({ region, endpointUrl: url, maxAttempts: 1, credentials: FAKE_CREDENTIALS });
}
