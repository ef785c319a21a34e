import { Logger } from '@aws-lambda-powertools/logger';
import { type ChangeBatchResult, handleChangeEvents } from '../events/change-path';
import { accountFromFunctionArn, deployedEnvironment, type LambdaContextLike } from './runtime';

/** Default eventual-consistency wait before describing what an event changed. */
export const DEFAULT_CHANGE_DELAY_SECONDS = 5;
/** Time kept back from the Lambda timeout to store evidence and the change log. */
const SAFETY_MARGIN_MS = 30_000;

export interface SqsRecordLike {
  messageId: string;
  body: string;
}
export interface SqsEventLike {
  Records: SqsRecordLike[];
}
export interface SQSBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

const logger = new Logger();

export function changeDelayMs(value: string | undefined): number {
  const seconds = value === undefined || value === '' ? DEFAULT_CHANGE_DELAY_SECONDS : Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`CHANGE_DELAY_SECONDS=${value} is not a number of seconds`);
  return seconds * 1000;
}

/**
 * Failed re-collections are retried by SQS (partial batch response); malformed messages are
 * reported too, so that after the queue's retries they rest in the dead-letter queue.
 */
export function batchResponse(result: ChangeBatchResult): SQSBatchResponse {
  return {
    batchItemFailures: result.outcomes
      .filter((o) => o.status === 'failed' || o.status === 'rejected')
      .map((o) => ({ itemIdentifier: o.id })),
  };
}

export async function handler(event: SqsEventLike, context: LambdaContextLike): Promise<SQSBatchResponse> {
  const startedAt = Date.now();
  const { config, clients, store, homeRegion } = await deployedEnvironment();
  const result = await handleChangeEvents(
    (event.Records ?? []).map((record) => ({ id: record.messageId, body: record.body })),
    {
      store,
      clients: clients,
      config,
      account: accountFromFunctionArn(context.invokedFunctionArn),
      homeRegion,
      delayMs: changeDelayMs(process.env.CHANGE_DELAY_SECONDS),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      clock: () => new Date(),
      logger,
      deadline: startedAt + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS,
    },
  );
  logger.info('change batch handled', {
    messages: result.outcomes.length,
    recollections: result.recollections.length,
    calls: result.calls,
  });
  return batchResponse(result);
}
