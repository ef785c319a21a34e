import { AwsClientFactory } from '../../lambdas/aws/clients';
import { EMULATOR_ACCOUNT } from '../../lambdas/cli/emulator';
import type { CollectorContext, CollectorSettings } from '../../lambdas/collectors/types';

export const DEFAULT_TEST_SETTINGS: CollectorSettings = {
  concurrency: 4,
  lookbackDays: 90,
  credentialReportMaxAgeHours: 4,
};

/**
 * A collector context over a real client factory, for tests that mock the SDK clients with
 * aws-sdk-client-mock (which intercepts every instance) and never sleep for real.
 */
export function mockedCollectorContext(overrides: Partial<CollectorContext> = {}): CollectorContext {
  return {
    account: '123456789012',
    region: 'us-east-1',
    scope: { type: 'all' },
    clients: new AwsClientFactory({
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' }),
    }),
    clock: () => new Date('2026-11-26T12:00:00.000Z'),
    settings: DEFAULT_TEST_SETTINGS,
    sleep: async () => undefined,
    ...overrides,
  };
}

/** A full-scope collector context over emulator clients, at the emulator's real clock. */
export function emulatorCollectorContext(clients: AwsClientFactory, overrides: Partial<CollectorContext> = {}): CollectorContext {
  return {
    account: EMULATOR_ACCOUNT,
    region: 'us-east-1',
    scope: { type: 'all' },
    clients,
    clock: () => new Date(),
    settings: DEFAULT_TEST_SETTINGS,
    sleep: async () => undefined,
    ...overrides,
  };
}
