import { readFile } from 'node:fs/promises';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DEFAULT_CONNECTION_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../aws/call-limits';
import { AwsClientFactory } from '../aws/clients';
import { errorCode, errorMessage } from '../aws/errors';
import { AWS_REGION_HINT, AWS_REGION_PATTERN, ConfigError, parseConfig, type Soc2MlConfig } from '../config/schema';
import { LocalDirectoryStore } from '../evidence/local-store';
import { S3EvidenceStore } from '../evidence/s3-store';
import type { EvidenceStore } from '../evidence/store';
import { StoreUnavailableError } from '../evidence/store';
import { readEvidenceBucketFacts } from '../integrity/bucket-lock';
import { UsageError } from './errors';

export const DEFAULT_STORE_DIR = './soc2-evidence';

export interface StoreOptions {
  store?: string;
  bucket?: string;
}

export interface AwsOptions {
  endpointUrl?: string;
  region?: string;
}

/** Reads --config FILE (JSON, the CDK context schema); no file means all defaults. */
export async function loadConfig(file: string | undefined): Promise<Soc2MlConfig> {
  if (!file) return parseConfig({});
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--config ${file}: cannot read: ${errorMessage(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--config ${file}: not valid JSON: ${errorMessage(err)}`);
  }
  try {
    return parseConfig(raw, `--config ${file}`);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

export function homeRegion(options: AwsOptions, config: Soc2MlConfig): string {
  if (options.region !== undefined) requireRegions('--region', [options.region]);
  return options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? config.regions[0] ?? 'us-east-1';
}

/** Region names become parts of evidence keys: anything but a region name is refused (exit 2). */
export function requireRegions(option: string, regions: string[]): void {
  const invalid = regions.find((r) => !AWS_REGION_PATTERN.test(r));
  if (invalid !== undefined) throw new UsageError(`${option} ${JSON.stringify(invalid)}: ${AWS_REGION_HINT}`);
}

export function clientFactory(options: AwsOptions, config: Soc2MlConfig, region: string): AwsClientFactory {
  if (options.endpointUrl) {
    try {
      new URL(options.endpointUrl);
    } catch {
      throw new UsageError(`--endpoint-url ${options.endpointUrl}: not a URL`);
    }
  }
  const { maxAttempts, connectionTimeoutMs, requestTimeoutMs } = config.collection;
  return new AwsClientFactory({ region, endpointUrl: options.endpointUrl, maxAttempts, connectionTimeoutMs, requestTimeoutMs });
}

/** Errors of the network below HTTP: nothing answered, so the credentials were never judged. */
const CONNECTION_ERROR_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
];
const CONNECTION_ERROR_IN_TEXT = new RegExp(`\\b(${CONNECTION_ERROR_CODES.join('|')})\\b`);

/**
 * The connection error behind a failed call, if that is what it was. The SDK wraps a thrown
 * value it does not recognise as an Error ("AWS SDK error wrapper for Error: connect
 * ECONNREFUSED ..."), losing its code but keeping the text.
 */
function connectionFailure(err: unknown): { code: string; message: string } | undefined {
  const code = errorCode(err);
  const message = errorMessage(err).replace(/^AWS SDK error wrapper for (Error: )?/, '');
  if (code === 'TimeoutError' || CONNECTION_ERROR_CODES.includes(code)) return { code, message };
  const named = CONNECTION_ERROR_IN_TEXT.exec(message)?.[1];
  return named ? { code: named, message } : undefined;
}

/**
 * The account the credentials belong to; unusable credentials are a usage problem (exit 2).
 * The first call of every command: an endpoint that never answers is named after one connection
 * and request timeout, not after every retry of it.
 */
export async function resolveAccount(clients: AwsClientFactory): Promise<{ account: string; arn: string }> {
  const { connectionTimeoutMs = DEFAULT_CONNECTION_TIMEOUT_MS, requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS } = clients.settings;
  const budgetMs = connectionTimeoutMs + requestTimeoutMs;
  const budget = AbortSignal.timeout(budgetMs);
  try {
    const identity = await clients.sts().send(new GetCallerIdentityCommand({}), { abortSignal: budget });
    if (!identity.Account) throw new Error('GetCallerIdentity returned no account');
    return { account: identity.Account, arn: identity.Arn ?? '' };
  } catch (err) {
    const connection = budget.aborted
      ? { code: 'TimeoutError', message: `no answer within ${budgetMs} ms` }
      : connectionFailure(err);
    if (connection) {
      const endpoint = clients.settings.endpointUrl ?? `the STS endpoint of ${clients.settings.region}`;
      throw new UsageError(`cannot reach ${endpoint} (${connection.code}: ${connection.message})`);
    }
    throw new UsageError(`AWS credentials are not usable (${errorCode(err)}: ${errorMessage(err)})`);
  }
}

/** --store DIR (default ./soc2-evidence) or --bucket NAME; proven usable before any work starts. */
export async function openStore(options: StoreOptions, clients: AwsClientFactory, config: Soc2MlConfig): Promise<EvidenceStore> {
  if (options.store && options.bucket) throw new UsageError('use either --store DIR or --bucket NAME, not both');
  try {
    if (options.bucket) {
      const store = new S3EvidenceStore({
        client: clients.s3(),
        bucket: options.bucket,
        objectLock: { mode: config.evidence.lockMode, retentionDays: config.evidence.retentionDays },
      });
      await store.ensureReachable();
      return store;
    }
    return await LocalDirectoryStore.open(options.store ?? DEFAULT_STORE_DIR);
  } catch (err) {
    if (err instanceof StoreUnavailableError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * Evidence is written only where it cannot be rewritten: a bucket without Object Lock would
 * refuse the first write, so it is refused before any work. Every object is written with the
 * configured lock mode; a bucket whose default retention is weaker than that is refused too.
 */
export async function requireLockedBucket(
  options: StoreOptions,
  clients: AwsClientFactory,
  account: string,
  config: Soc2MlConfig,
): Promise<void> {
  if (!options.bucket) return;
  const facts = await readEvidenceBucketFacts(clients.s3(), { name: options.bucket, account, region: clients.settings.region });
  if (!facts.objectLockEnabled)
    throw new UsageError(
      `--bucket ${options.bucket}: Object Lock is not enabled (or its configuration cannot be read); evidence needs a bucket created with Object Lock, as the deployed stack creates it`,
    );
  if (facts.mode !== undefined && facts.mode !== config.evidence.lockMode)
    throw new UsageError(
      `--bucket ${options.bucket}: its default Object Lock retention is ${facts.mode}, not ${config.evidence.lockMode} (evidence.lockMode)`,
    );
}

export function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}
