import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { z } from 'zod';
import { parseConfig, type Soc2MlConfig } from '../config/schema';

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
