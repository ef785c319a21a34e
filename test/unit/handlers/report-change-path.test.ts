import { GetQueueAttributesCommand, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsClientFactory } from '../../../lambdas/aws/clients';
import { measureChangePath } from '../../../lambdas/handlers/report';
import { FAKE_CREDENTIALS } from '../../helpers/moto';

const sqs = mockClient(SQSClient);
const CHANGE_DLQ = 'https://sqs.us-east-1.amazonaws.com/111122223333/ChangeEvents-DeadLetters';
const EVALUATOR_DLQ = 'https://sqs.us-east-1.amazonaws.com/111122223333/Evaluator-DeadLetters';
const clients = () => new AwsClientFactory({ region: 'us-east-1', credentials: FAKE_CREDENTIALS, maxAttempts: 1 });

beforeEach(() => sqs.reset());

describe('measureChangePath', () => {
  it('is healthy when every dead-letter queue is empty', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    expect(await measureChangePath(clients(), `${CHANGE_DLQ},${EVALUATOR_DLQ}`)).toEqual({
      healthy: true,
      detail: '2 dead-letter queues empty',
    });
  });

  it('is unhealthy, naming the queue, when a change was dead-lettered', async () => {
    sqs.on(GetQueueAttributesCommand, { QueueUrl: CHANGE_DLQ }).resolves({ Attributes: { ApproximateNumberOfMessages: '3' } });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: EVALUATOR_DLQ }).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    expect(await measureChangePath(clients(), `${CHANGE_DLQ},${EVALUATOR_DLQ}`)).toEqual({
      healthy: false,
      detail: '3 message(s) in ChangeEvents-DeadLetters',
    });
  });

  it('is not measured (so evidence.change_log says ERROR) when the queues are unknown or unreadable', async () => {
    sqs
      .on(GetQueueAttributesCommand)
      .rejects(new SQSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: {}, message: 'denied' }));
    expect(await measureChangePath(clients(), undefined)).toBeUndefined();
    expect(await measureChangePath(clients(), CHANGE_DLQ)).toBeUndefined();
  });
});
