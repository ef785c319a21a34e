import { Logger } from '@aws-lambda-powertools/logger';
import { AwsClientFactory } from '../aws/clients';
import { S3EvidenceStore } from '../evidence/s3-store';
import { collectMemberTask, memberTaskSchema } from '../organization/member-task';
import type { MemberTaskResult } from '../organization/plan';
import { type LambdaContextLike, loadConfig, requiredEnv } from './runtime';

/** Time kept back from the Lambda timeout to write evidence. */
const SAFETY_MARGIN_MS = 60_000;

const logger = new Logger();
let baseClients: AwsClientFactory | undefined;

/** `arn:<partition>:lambda:...` of the function itself. */
const partitionOfFunction = (arn: string) => arn.split(':')[1] ?? 'aws';

/** Invoked by the organisation fan-out with one {collector, account, region}. */
export async function handler(event: unknown, context: LambdaContextLike): Promise<MemberTaskResult> {
  const startedAt = Date.now();
  const task = memberTaskSchema.parse(event);
  logger.appendKeys({ ...task });
  const config = await loadConfig(requiredEnv('CONFIG_PARAMETER'));
  const homeRegion = requiredEnv('AWS_REGION');
  baseClients ??= new AwsClientFactory({ region: homeRegion, maxAttempts: config.collection.maxAttempts });
  const store = new S3EvidenceStore({
    client: baseClients.s3(),
    bucket: requiredEnv('EVIDENCE_BUCKET'),
    kmsKeyId: requiredEnv('EVIDENCE_KMS_KEY_ARN'),
    objectLock: { mode: config.evidence.lockMode, retentionDays: config.evidence.retentionDays },
  });
  const result = await collectMemberTask(task, {
    config,
    clients: baseClients,
    store,
    partition: partitionOfFunction(context.invokedFunctionArn),
    homeRegion,
    deadline: startedAt + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS,
    clock: () => new Date(),
  });
  (result.status === 'collected' ? logger.info : logger.error).call(logger, 'member task done', { ...result });
  return result;
}
