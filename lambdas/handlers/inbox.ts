import { Logger } from '@aws-lambda-powertools/logger';
import { errorMessage } from '../aws/errors';
import { loadCatalog } from '../catalog/catalog';
import type { PathLogger } from '../events/change-path';
import { type IntakeContext, inboxUploads, S3InboxObjects, takeIn } from '../integrity/inbox';
import type { SQSBatchResponse, SqsEventLike } from './change-events';
import { accountFromFunctionArn, deployedEnvironment, type LambdaContextLike, requiredEnv } from './runtime';

export interface InboxBatchOutcome {
  messageId: string;
  status: 'done' | 'failed';
  intakes: { key: string; outcome: string; recordKey?: string; reason?: string }[];
  failure?: string;
}

/**
 * Takes in every inbox upload a batch of S3 notifications names. A message whose intake failed
 * for a reason worth retrying (S3 or the store unavailable) is reported back to SQS, which
 * delivers it again and finally keeps it in the dead-letter queue; the upload stays in the inbox.
 */
export async function runInboxBatch(
  event: SqsEventLike,
  context: Omit<IntakeContext, 'now'> & { clock: () => Date; logger: PathLogger },
): Promise<InboxBatchOutcome[]> {
  const outcomes: InboxBatchOutcome[] = [];
  for (const message of event.Records ?? []) {
    const outcome: InboxBatchOutcome = { messageId: message.messageId, status: 'done', intakes: [] };
    try {
      for (const upload of inboxUploads(JSON.parse(message.body))) {
        const result = await takeIn(upload, { ...context, now: context.clock() });
        outcome.intakes.push({
          key: upload.key,
          outcome: result.outcome,
          recordKey: result.recordKey,
          ...(result.record?.reason ? { reason: result.record.reason.detail } : {}),
        });
        if (result.tagFailure)
          context.logger.warn('intake not marked on the upload', { key: upload.key, failure: result.tagFailure });
      }
    } catch (err) {
      outcome.status = 'failed';
      outcome.failure = errorMessage(err);
      context.logger.error('inbox message not taken in', { messageId: message.messageId, failure: outcome.failure });
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

const logger = new Logger();

export async function handler(event: SqsEventLike, lambdaContext: LambdaContextLike): Promise<SQSBatchResponse> {
  const { clients, store } = await deployedEnvironment();
  const outcomes = await runInboxBatch(event, {
    store,
    objects: new S3InboxObjects(clients.s3(), requiredEnv('EVIDENCE_BUCKET')),
    catalog: loadCatalog(),
    account: accountFromFunctionArn(lambdaContext.invokedFunctionArn),
    clock: () => new Date(),
    logger,
  });
  logger.info('inbox batch handled', { outcomes });
  return {
    batchItemFailures: outcomes.filter((o) => o.status === 'failed').map((o) => ({ itemIdentifier: o.messageId })),
  };
}
