import { Template } from 'aws-cdk-lib/assertions';
import { newEvidenceKeys } from '../../lambdas/handlers/evaluate';
import { EVALUATOR_MESSAGE_GROUP } from '../../lib/evaluator-function';
import { simulateBurst } from '../helpers/queue-model';
import { buildTestApp } from './synth';
import { logicalIdOf } from './templates';

const BURST = 1000;

describe('evaluator queue: one writer of the finding state, never throttled', () => {
  const template = Template.fromStack(
    buildTestApp({}, { nag: false, env: { account: '111122223333', region: 'us-east-1' } }).stack,
  );
  const resources = template.toJSON().Resources;
  const evaluatorId = logicalIdOf(template, 'AWS::Lambda::Function', {
    Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'soc2-ml-evaluator' } },
  });
  const evaluator = resources[evaluatorId].Properties;
  const mapping = Object.values(
    template.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { FunctionName: { Ref: evaluatorId } },
    }),
  )[0]!.Properties;
  const queueId = mapping.EventSourceArn['Fn::GetAtt'][0] as string;
  const queue = resources[queueId].Properties;
  const deadLetterId = queue.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string;

  it('feeds the evaluator from one message group of a FIFO queue, with a FIFO dead-letter queue and no reserved concurrency', () => {
    // Assess
    expect(queue.FifoQueue).toBe(true);
    // EventBridge targets a FIFO queue only with content-based deduplication
    expect(queue.ContentBasedDeduplication).toBe(true);
    expect(resources[deadLetterId].Properties.FifoQueue).toBe(true);
    expect(evaluator.ReservedConcurrentExecutions).toBeUndefined();
    const targets = Object.values(template.findResources('AWS::Events::Rule'))
      .flatMap((rule) => rule.Properties.Targets as { Arn: unknown; SqsParameters?: { MessageGroupId: string } }[])
      .filter((target) => JSON.stringify(target.Arn) === JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] }));
    expect(targets).toEqual([expect.objectContaining({ SqsParameters: { MessageGroupId: EVALUATOR_MESSAGE_GROUP } })]);
  });

  it('routes S3 Object Created events under evidence/v1/ of the evidence bucket, as S3 notification records', () => {
    // Assess
    const bucketId = logicalIdOf(template, 'AWS::S3::Bucket', { ObjectLockEnabled: true });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: bucketId },
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
    const [rule] = Object.values(
      template.findResources('AWS::Events::Rule', {
        Properties: { EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'] } },
      }),
    );
    expect(rule!.Properties.EventPattern.detail).toEqual({
      bucket: { name: [{ Ref: bucketId }] },
      object: { key: [{ prefix: 'evidence/v1/' }] },
    });
    const transformer = rule!.Properties.Targets[0].InputTransformer;
    expect(transformer.InputPathsMap).toEqual({
      'detail-bucket-name': '$.detail.bucket.name',
      'detail-object-key': '$.detail.object.key',
    });
    expect(transformer.InputTemplate).toContain('"object":{"key":<detail-object-key>}');
    // EventBridge puts string values in quotes where the template names them: the evaluator reads the result.
    const key = 'evidence/v1/collector=kms/account=111122223333/region=us-east-1/date=2026-11-30/091405000Z-1.json.gz';
    const body = (transformer.InputTemplate as string)
      .replace('<detail-bucket-name>', JSON.stringify('evidence-bucket'))
      .replace('<detail-object-key>', JSON.stringify(key));
    expect(newEvidenceKeys({ Records: [{ messageId: 'm', body }] })).toEqual([key]);
  });

  it.each([30, 300])(
    'evaluates a burst of 1,000 evidence writes with none dead-lettered (model, %s s per batch)',
    (invocationSeconds) => {
      // Act: the deployed settings, read from the template
      const result = simulateBurst(
        {
          fifo: queue.FifoQueue === true,
          batchSize: mapping.BatchSize,
          maxReceiveCount: queue.RedrivePolicy.maxReceiveCount,
          visibilityTimeoutSeconds: queue.VisibilityTimeout,
          reservedConcurrency: evaluator.ReservedConcurrentExecutions,
          pollers: 5,
          invocationSeconds,
        },
        BURST,
      );

      // Assess
      expect(result).toMatchObject({ evaluated: BURST, deadLettered: 0, throttledInvokes: 0 });
    },
  );

  it('the model does catch the old design: a standard queue with reserved concurrency 1 dead-letters part of the burst', () => {
    // Act: the settings before the fix
    const result = simulateBurst(
      {
        fifo: false,
        batchSize: 10,
        maxReceiveCount: 10,
        visibilityTimeoutSeconds: 6 * 300,
        reservedConcurrency: 1,
        pollers: 5,
        invocationSeconds: 30,
      },
      BURST,
    );

    // Assess
    expect(result.throttledInvokes).toBeGreaterThan(0);
    expect(result.deadLettered).toBeGreaterThan(0);
  });
});
