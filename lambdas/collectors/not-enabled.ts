import { errorCode, errorMessage } from '../aws/errors';
import type { CallOutcome, CollectionLog } from './collection-log';

/** How a service says it is not turned on in the region: an error code and a message pattern. */
export interface NotEnabledAnswer {
  code: string;
  message: RegExp;
}

/**
 * A call whose documented "not enabled" answer is a fact, not an error: that answer becomes
 * `absent`, every other failure (a plain AccessDenied for a missing permission among them) is
 * recorded. The code alone cannot decide: Macie and Security Hub answer a missing permission with
 * the same code.
 */
export async function callUnlessNotEnabled<T>(
  log: CollectionLog,
  api: string,
  fn: () => Promise<T>,
  notEnabled: NotEnabledAnswer,
): Promise<CallOutcome<T>> {
  const marker = `${api} not enabled`;
  const outcome = await log.call(
    api,
    undefined,
    async () => {
      try {
        return await fn();
      } catch (err) {
        if (errorCode(err) === notEnabled.code && notEnabled.message.test(errorMessage(err)))
          throw Object.assign(new Error(marker), { name: marker });
        throw err;
      }
    },
    [marker],
  );
  return outcome.status === 'absent' ? { status: 'absent', code: notEnabled.code } : outcome;
}
