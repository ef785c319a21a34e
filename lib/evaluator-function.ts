import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { EVIDENCE_ROOT } from '../lambdas/evidence/layout';
import { EVALUATE_HANDLER_ACTIONS } from '../lambdas/handlers/permissions';
import { errorAlarm, handlerFunction, retainedLogGroup, workQueue } from './function-parts';
import { acknowledgeHandlerGrants, handlerInlinePolicies } from './handler-grants';

export interface EvaluatorFunctionProps {
  /** New objects under evidence/v1/ in this bucket trigger the evaluator. */
  evidenceBucket: Bucket;
  evidenceKey: IKey;
  /** SSM parameter holding the validated configuration as JSON. */
  configParameter: IStringParameter;
  /** config.slack.webhookSecretArn: the only secret the evaluator may read. */
  slackWebhookSecretArn?: string;
}

const FUNCTION_TIMEOUT = Duration.minutes(5);
/** A batch that fails this often (an evaluator bug, not load: nothing is throttled) is kept in the dead-letter queue. */
const MAX_RECEIVE_COUNT = 5;
/**
 * Every message carries this one FIFO message group: Lambda hands a group's messages to one
 * invocation at a time, in order ("Using Lambda with Amazon SQS", FIFO queues), so there is one
 * evaluator at a time without reserved concurrency and nothing is throttled.
 */
export const EVALUATOR_MESSAGE_GROUP = 'finding-state';

/**
 * The evaluator, single writer of the finding state: every new evidence object under
 * evidence/v1/ (S3 -> EventBridge "Object Created" -> one message group of a FIFO queue with a
 * FIFO dead-letter queue) re-evaluates the affected resources, overwrites state/v1/ and appends
 * alerts to evidence/v1/alerts/. S3 notifications cannot target a FIFO queue, EventBridge can.
 * Reserved concurrency 1 behind a standard queue was the old single-writer guard: Lambda's
 * pollers do not respect it, and each throttled receive hid a batch for the visibility timeout
 * and counted towards the dead-letter limit. The queue uses SQS-managed encryption.
 */
export class EvaluatorFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly errorAlarm: Alarm;

  constructor(scope: Construct, id: string, props: EvaluatorFunctionProps) {
    super(scope, id);
    const { evidenceBucket, evidenceKey } = props;

    const logGroup = retainedLogGroup(this);
    const grants = { evidenceBucket, evidenceKey, logGroup, slackWebhookSecretArn: props.slackWebhookSecretArn };
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'soc2-ml-evidence evaluator: reads evidence, writes finding state and the alert log',
      inlinePolicies: handlerInlinePolicies(EVALUATE_HANDLER_ACTIONS, grants),
    });
    props.configParameter.grantRead(this.role);
    acknowledgeHandlerGrants(this.role, EVALUATE_HANDLER_ACTIONS, grants);

    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = workQueue(this, {
      functionTimeout: FUNCTION_TIMEOUT,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      fifo: true,
    }));
    evidenceBucket.enableEventBridgeNotification();
    // "Amazon S3 events delivered to EventBridge", Object Created:
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
    new Rule(this, 'NewEvidence', {
      description: 'soc2-ml-evidence: new evidence objects -> the evaluator queue (one FIFO message group)',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [evidenceBucket.bucketName] }, object: { key: [{ prefix: EVIDENCE_ROOT }] } },
      },
      targets: [
        new SqsQueue(this.queue, {
          messageGroupId: EVALUATOR_MESSAGE_GROUP,
          // The evaluator reads S3 notification records: the event is reshaped into one. Evidence
          // keys hold only [A-Za-z0-9=/._-], the same URL-encoded or not.
          message: RuleTargetInput.fromObject({
            Records: [
              {
                eventSource: 'aws:s3',
                eventName: 'ObjectCreated',
                s3: {
                  bucket: { name: EventField.fromPath('$.detail.bucket.name') },
                  object: { key: EventField.fromPath('$.detail.object.key') },
                },
              },
            ],
          }),
        }),
      ],
    });

    this.function = handlerFunction(this, {
      handlerFile: 'evaluate.ts',
      description: 'soc2-ml-evidence: evaluates new evidence, keeps finding state, alerts on transitions',
      role: this.role,
      logGroup,
      memorySize: 2048,
      timeout: FUNCTION_TIMEOUT,
      serviceName: 'soc2-ml-evaluator',
      environment: {
        EVIDENCE_BUCKET: evidenceBucket.bucketName,
        EVIDENCE_KMS_KEY_ARN: evidenceKey.keyArn,
        CONFIG_PARAMETER: props.configParameter.parameterName,
        ...(props.slackWebhookSecretArn ? { SLACK_WEBHOOK_SECRET_ARN: props.slackWebhookSecretArn } : {}),
      },
    });
    this.function.addEventSource(
      // FIFO event sources take no batching window.
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );

    this.errorAlarm = errorAlarm(this, this.function, 'soc2-ml-evidence evaluator failed; alerts may be delayed');
  }
}
