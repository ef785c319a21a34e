/**
 * A discrete-time model of Lambda's SQS event source, to show what a burst of evidence writes
 * does to the evaluator queue. Semantics modelled, from "Using Lambda with Amazon SQS"
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html) and "Introducing maximum
 * concurrency of AWS Lambda functions when using Amazon SQS as an event source"
 * (https://aws.amazon.com/blogs/compute/introducing-maximum-concurrency-of-aws-lambda-functions-when-using-amazon-sqs-as-an-event-source/):
 * - a receive makes the batch invisible for the visibility timeout and counts one receive per
 *   message; a message received more than maxReceiveCount times goes to the dead-letter queue;
 * - standard queue: pollers (five to start with) each receive a batch and invoke at once,
 *   whatever the function's reserved concurrency; a throttled invoke returns the batch, whose
 *   messages reappear only when the visibility timeout ends;
 * - FIFO queue: a message group has at most one batch in flight; the next batch of the group
 *   is received after the previous one is deleted.
 */
export interface QueueModel {
  fifo: boolean;
  batchSize: number;
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
  /** Reserved concurrency of the function; undefined: unreserved (the account's pool, not the limit here). */
  reservedConcurrency: number | undefined;
  /** Concurrent pollers of a standard queue (Lambda starts with five). */
  pollers: number;
  /** How long one evaluation of a batch takes. */
  invocationSeconds: number;
}

export interface BurstResult {
  evaluated: number;
  deadLettered: number;
  throttledInvokes: number;
  /** Seconds until the queue was empty. */
  drainedAfter: number;
}

interface Message {
  visibleAt: number;
  receives: number;
  state: 'queued' | 'done' | 'dead';
}

/** Every message arrives at second 0 (the burst); the model runs until the queue is empty. */
export function simulateBurst(model: QueueModel, messages: number): BurstResult {
  const queue: Message[] = Array.from({ length: messages }, () => ({ visibleAt: 0, receives: 0, state: 'queued' }));
  const running: { until: number; batch: Message[] }[] = [];
  let throttledInvokes = 0;
  let t = 0;
  const limit = 1_000_000;
  while (queue.some((m) => m.state === 'queued') && t < limit) {
    for (const invocation of running.filter((r) => r.until <= t)) {
      for (const message of invocation.batch) message.state = 'done';
      running.splice(running.indexOf(invocation), 1);
    }
    // FIFO: one group, one batch in flight. Standard: every poller receives and invokes.
    const receivers = model.fifo ? (running.length === 0 ? 1 : 0) : model.pollers;
    for (let poller = 0; poller < receivers; poller += 1) {
      const batch: Message[] = [];
      for (const message of queue) {
        if (batch.length === model.batchSize) break;
        if (message.state !== 'queued' || message.visibleAt > t) continue;
        if (message.receives >= model.maxReceiveCount) {
          message.state = 'dead';
          continue;
        }
        message.receives += 1;
        message.visibleAt = t + model.visibilityTimeoutSeconds;
        batch.push(message);
      }
      if (batch.length === 0) break;
      if (model.reservedConcurrency !== undefined && running.length >= model.reservedConcurrency) {
        throttledInvokes += 1;
        continue;
      }
      running.push({ until: t + model.invocationSeconds, batch });
    }
    t += 1;
  }
  return {
    evaluated: queue.filter((m) => m.state === 'done').length,
    deadLettered: queue.filter((m) => m.state === 'dead').length,
    throttledInvokes,
    drainedAfter: t,
  };
}
