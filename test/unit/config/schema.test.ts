import { ConfigError, MAX_EXCEPTION_DAYS, parseConfig } from '../../../lambdas/config/schema';

const DAY_MS = 86_400_000;
const exception = (overrides: Record<string, unknown>) => ({
  exceptions: [
    {
      check: 's3.ml_bucket_replication',
      resource: 'arn:aws:s3:::scratch-*',
      justification: 'scratch data is reproducible from the raw bucket',
      approver: 'ciso@example.com',
      expires: new Date(Date.now() + 30 * DAY_MS).toISOString().slice(0, 10),
      ...overrides,
    },
  ],
});

describe('exceptions in the configuration', () => {
  it('accepts a justified, approved exception that expires within a year', () => {
    expect(parseConfig(exception({})).exceptions).toHaveLength(1);
  });

  it.each([
    ['no justification', { justification: '' }, /exceptions\.0\.justification/],
    ['no expiry', { expires: undefined }, /exceptions\.0\.expires/],
    ['an expiry that is not a date', { expires: 'next year' }, /must be an ISO date/],
    [
      `an expiry more than ${MAX_EXCEPTION_DAYS} days ahead`,
      { expires: new Date(Date.now() + (MAX_EXCEPTION_DAYS + 2) * DAY_MS).toISOString() },
      /at most 365 days ahead/,
    ],
  ])('refuses %s, naming the key', (_name, overrides, message) => {
    expect(() => parseConfig(exception(overrides))).toThrow(ConfigError);
    expect(() => parseConfig(exception(overrides))).toThrow(message);
  });
});

describe('AWS call timeouts in the configuration', () => {
  it('takes configured timeouts', () => {
    const { collection } = parseConfig({ collection: { connectionTimeoutMs: 2000, requestTimeoutMs: 10_000 } });
    expect(collection).toMatchObject({ connectionTimeoutMs: 2000, requestTimeoutMs: 10_000 });
  });

  it.each([
    [{ connectionTimeoutMs: 0 }, /collection\.connectionTimeoutMs/],
    [{ requestTimeoutMs: -1 }, /collection\.requestTimeoutMs/],
    [{ requestTimeoutMs: 'soon' }, /collection\.requestTimeoutMs/],
  ])('refuses %j, naming the key', (collection, message) => {
    expect(() => parseConfig({ collection })).toThrow(message);
  });
});
