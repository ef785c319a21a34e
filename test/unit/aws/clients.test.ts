import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_CONNECTION_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../../../lambdas/aws/call-limits';
import { AwsClientFactory, DeadlineExceededError } from '../../../lambdas/aws/clients';
import { errorCode } from '../../../lambdas/aws/errors';
import { parseConfig } from '../../../lambdas/config/schema';
import { type BlackHole, startBlackHole } from '../../helpers/black-hole';

const FAKE_CREDENTIALS = async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' });

let blackHole: BlackHole;
beforeEach(async () => {
  blackHole = await startBlackHole();
});
afterEach(async () => {
  await blackHole.close();
});

function clientsFor(settings: { requestTimeoutMs?: number; connectionTimeoutMs?: number; maxAttempts?: number }) {
  return new AwsClientFactory({
    region: 'us-east-1',
    endpointUrl: blackHole.url,
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
    ...settings,
  });
}

/** What one STS call through the factory failed with (undefined if it succeeded). */
function failureOf(clients: AwsClientFactory): Promise<unknown> {
  return clients
    .sts()
    .send(new GetCallerIdentityCommand({}))
    .then(
      () => undefined,
      (err: unknown) => err,
    );
}

/** The options the client's HTTP handler resolved (HttpHandler.httpHandlerConfigs, public in @smithy/types). */
function handlerConfigs(client: STSClient): Record<string, unknown> {
  return (client.config.requestHandler as unknown as { httpHandlerConfigs(): Record<string, unknown> }).httpHandlerConfigs();
}

describe('AwsClientFactory timeouts', () => {
  it('ends a call to an endpoint that accepts and never answers with TimeoutError', async () => {
    // Prepare: the limit is short; the test's own timeout (jest's) is long, so speed does not matter.
    const clients = clientsFor({ requestTimeoutMs: 300, connectionTimeoutMs: 1234 });

    // Act
    const failure = await failureOf(clients);

    // Assess
    expect(errorCode(failure)).toBe('TimeoutError');
    expect(blackHole.connections).toBe(1);
    expect(handlerConfigs(clients.sts())).toMatchObject({
      connectionTimeout: 1234,
      requestTimeout: 300,
      throwOnRequestTimeout: true,
    });
  });

  it('retries a timed-out attempt up to maxAttempts, then gives up', async () => {
    const clients = clientsFor({ requestTimeoutMs: 200, maxAttempts: 2 });

    const failure = await failureOf(clients);

    expect(errorCode(failure)).toBe('TimeoutError');
    expect(blackHole.connections).toBe(2);
  });

  it('applies the schema defaults when the settings name none', async () => {
    const clients = clientsFor({});
    const { collection } = parseConfig({});

    // The handler resolves its options at the first call: make one, cut short by a deadline.
    const bounded = clients.until(Date.now() + 200);
    await failureOf(bounded);
    const configs = handlerConfigs(bounded.sts());

    expect(collection.connectionTimeoutMs).toBe(DEFAULT_CONNECTION_TIMEOUT_MS);
    expect(collection.requestTimeoutMs).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
    expect(configs).toMatchObject({
      connectionTimeout: DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
    });
  });
});

describe('AwsClientFactory.until(deadline)', () => {
  it('gives up a call in flight at the deadline, long before its request timeout', async () => {
    // Prepare: a request timeout far beyond the deadline.
    const clients = clientsFor({ requestTimeoutMs: 600_000 });
    const bounded = clients.until(Date.now() + 300);

    // Act
    const failure = await failureOf(bounded);

    // Assess
    expect(failure).toBeInstanceOf(DeadlineExceededError);
    expect(errorCode(failure)).toBe('DeadlineExceeded');
    expect((failure as Error).message).toBe("STSClient.GetCallerIdentityCommand did not finish before the run's deadline");
  });

  it('leaves a call alone when the deadline is beyond what a timer can hold', async () => {
    // setTimeout fires at once for delays above 2^31-1 ms: such a deadline must not cut every call.
    const bounded = clientsFor({ requestTimeoutMs: 300 }).until(Number.MAX_SAFE_INTEGER);

    const failure = await failureOf(bounded);

    expect(errorCode(failure)).toBe('TimeoutError');
  });

  it('fails a call made after the deadline without connecting, and counts it in the same run', async () => {
    const clients = clientsFor({});
    const bounded = clients.until(Date.now() - 1);

    const failure = await failureOf(bounded);

    expect(errorCode(failure)).toBe('DeadlineExceeded');
    expect(blackHole.connections).toBe(0);
    expect(clients.calls.total).toBe(1);
  });
});
