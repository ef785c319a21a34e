import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { z } from 'zod';
import { AwsClientFactory } from '../aws/clients';
import { parseConfig, type Soc2MlConfig } from '../config/schema';
import { S3EvidenceStore } from '../evidence/s3-store';

/** The configuration changes only on deploy; re-read it at most every 15 minutes. */
const CONFIG_CACHE_SECONDS = 900;

/** The parts of the Lambda context the handlers read (no @types/aws-lambda dependency). */
export interface LambdaContextLike {
  invokedFunctionArn: string;
  getRemainingTimeInMillis(): number;
}

const scheduledEventSchema = z.looseObject({
  'detail-type': z.literal('Scheduled Event'),
  id: z.string(),
  time: z.string(),
});
export type ScheduledEvent = z.infer<typeof scheduledEventSchema>;

export class UnsupportedEventError extends Error {
  constructor(handlerName: string, reason: string) {
    super(`the ${handlerName} handler only accepts EventBridge "Scheduled Event"s: ${reason}`);
    this.name = 'UnsupportedEventError';
  }
}

/** Scheduled handlers refuse anything but an EventBridge schedule, so a misrouted event fails loudly. */
export function parseScheduledEvent(event: unknown, handlerName: string): ScheduledEvent {
  const parsed = scheduledEventSchema.safeParse(event);
  if (!parsed.success) throw new UnsupportedEventError(handlerName, parsed.error.issues[0]?.message ?? 'unrecognised event');
  return parsed.data;
}

/** The 12-digit account of `arn:aws:lambda:<region>:<account>:function:<name>`. */
export function accountFromFunctionArn(arn: string): string {
  const account = arn.split(':')[4];
  if (!account || !/^\d{12}$/.test(account)) throw new Error(`cannot read the account from function ARN ${arn}`);
  return account;
}

/** The validated configuration from the SSM parameter the stack writes (cached between invocations). */
export async function loadConfig(parameterName: string): Promise<Soc2MlConfig> {
  const raw = await getParameter(parameterName, { transform: 'json', maxAge: CONFIG_CACHE_SECONDS });
  return parseConfig(raw, `SSM parameter ${parameterName}`);
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

let cachedClients: AwsClientFactory | undefined;

/** What every deployed handler starts from: its configuration, AWS clients and the evidence bucket. */
export interface DeployedEnvironment {
  config: Soc2MlConfig;
  homeRegion: string;
  /** Reused across invocations of one container, so credentials and connections are too. */
  clients: AwsClientFactory;
  store: S3EvidenceStore;
}

export async function deployedEnvironment(): Promise<DeployedEnvironment> {
  const config = await loadConfig(requiredEnv('CONFIG_PARAMETER'));
  const homeRegion = requiredEnv('AWS_REGION');
  const { maxAttempts, connectionTimeoutMs, requestTimeoutMs } = config.collection;
  cachedClients ??= new AwsClientFactory({ region: homeRegion, maxAttempts, connectionTimeoutMs, requestTimeoutMs });
  const store = new S3EvidenceStore({
    client: cachedClients.s3(),
    bucket: requiredEnv('EVIDENCE_BUCKET'),
    kmsKeyId: requiredEnv('EVIDENCE_KMS_KEY_ARN'),
    objectLock: { mode: config.evidence.lockMode, retentionDays: config.evidence.retentionDays },
  });
  return { config, homeRegion, clients: cachedClients, store };
}
