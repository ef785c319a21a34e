import { Logger } from '@aws-lambda-powertools/logger';
import { collectMemberTask, memberTaskSchema } from '../organization/member-task';
import type { MemberTaskResult } from '../organization/plan';
import { deployedEnvironment, type LambdaContextLike } from './runtime';

/** Time kept back from the Lambda timeout to write evidence. */
const SAFETY_MARGIN_MS = 60_000;

const logger = new Logger();

/** `arn:<partition>:lambda:...` of the function itself. */
const partitionOfFunction = (arn: string) => arn.split(':')[1] ?? 'aws';

/** Invoked by the organisation fan-out with one {collector, account, region}. */
export async function handler(event: unknown, context: LambdaContextLike): Promise<MemberTaskResult> {
  const startedAt = Date.now();
  const task = memberTaskSchema.parse(event);
  logger.appendKeys({ ...task });
  const { config, clients, store, homeRegion } = await deployedEnvironment();
  const result = await collectMemberTask(task, {
    config,
    clients: clients,
    store,
    partition: partitionOfFunction(context.invokedFunctionArn),
    homeRegion,
    deadline: startedAt + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS,
    clock: () => new Date(),
  });
  (result.status === 'collected' ? logger.info : logger.error).call(logger, 'member task done', { ...result });
  return result;
}
