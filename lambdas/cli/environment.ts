import { readFile } from 'node:fs/promises';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { AwsClientFactory } from '../aws/clients';
import { errorCode, errorMessage } from '../aws/errors';
import { ConfigError, parseConfig, type Soc2MlConfig } from '../config/schema';
import { LocalDirectoryStore } from '../evidence/local-store';
import { S3EvidenceStore } from '../evidence/s3-store';
import type { EvidenceStore } from '../evidence/store';
import { StoreUnavailableError } from '../evidence/store';
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
  return options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? config.regions[0] ?? 'us-east-1';
}

export function clientFactory(options: AwsOptions, config: Soc2MlConfig, region: string): AwsClientFactory {
  if (options.endpointUrl) {
    try {
      new URL(options.endpointUrl);
    } catch {
      throw new UsageError(`--endpoint-url ${options.endpointUrl}: not a URL`);
    }
  }
  return new AwsClientFactory({ region, endpointUrl: options.endpointUrl, maxAttempts: config.collection.maxAttempts });
}

/** The account the credentials belong to; unusable credentials are a usage problem (exit 2). */
export async function resolveAccount(clients: AwsClientFactory): Promise<{ account: string; arn: string }> {
  try {
    const identity = await clients.sts().send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new Error('GetCallerIdentity returned no account');
    return { account: identity.Account, arn: identity.Arn ?? '' };
  } catch (err) {
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

export function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}
