import { Duration, Stack } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  type Bucket,
  type BucketNotificationDestinationConfig,
  BucketNotificationDestinationType,
  EventType,
  type IBucket,
  type IBucketNotificationDestination,
} from 'aws-cdk-lib/aws-s3';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ALERT_LOG_PREFIX, FINDING_STATE_KEY } from '../lambdas/alerts/state';
import { EVIDENCE_PREFIX } from '../lambdas/evidence/evidence-io';
import { DIGESTS_ROOT } from '../lambdas/integrity/digest';
import { acknowledgeWildcardResource, errorAlarm, handlerFunction, retainedLogGroup, workQueue } from './function-parts';

export interface EvaluatorFunctionProps {
  /** New objects under evidence/v1/ in this bucket trigger the evaluator. */
  evidenceBucket: Bucket;
  evidenceKey: IKey;
  /** SSM parameter holding the validated configuration as JSON. */
  configParameter: IStringParameter;
  /** config.slack.webhookSecretArn: the only secret the evaluator may read. */
  slackWebhookSecretArn?: string;
}

/** Where the evaluator keeps the status of every (check, resource); it alone writes there, overwriting. */
const STATE_PREFIX = FINDING_STATE_KEY.slice(0, FINDING_STATE_KEY.lastIndexOf('/') + 1);

const FUNCTION_TIMEOUT = Duration.minutes(5);
/**
 * With one concurrent execution, a batch that arrives while another runs is throttled and
 * counts as a receive: allow more receives than the change queue before dead-lettering.
 */
const MAX_RECEIVE_COUNT = 10;

/**
 * S3 -> SQS with both conditions that tie the message to this bucket in this account.
 * (aws-s3-notifications' SqsDestination sets aws:SourceArn only.)
 */
export class BucketEventsToQueue implements IBucketNotificationDestination {
  constructor(private readonly queue: IQueue) {}

  bind(_scope: Construct, bucket: IBucket): BucketNotificationDestinationConfig {
    const added = this.queue.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EvidenceBucketNotifications',
        principals: [new ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': bucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(bucket).account },
        },
      }),
    );
    return {
      arn: this.queue.queueArn,
      type: BucketNotificationDestinationType.QUEUE,
      ...(added.policyDependable ? { dependencies: [added.policyDependable] } : {}),
    };
  }
}

/**
 * The evaluator, single writer of the finding state: every new evidence object (an S3
 * ObjectCreated notification under evidence/v1/, queued in SQS with a dead-letter queue)
 * re-evaluates the affected resources with reserved concurrency 1, overwrites state/v1/ and
 * appends alerts to evidence/v1/alerts/. The queue uses SQS-managed encryption: S3 can send
 * to it without a KMS key policy, which a customer managed key would need and the AWS managed
 * aws/sqs key cannot be given.
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
    const evidenceObjects = evidenceBucket.arnForObjects('evidence/*');
    const stateObjects = evidenceBucket.arnForObjects(`${STATE_PREFIX}*`);
    const alertObjects = evidenceBucket.arnForObjects(`${ALERT_LOG_PREFIX}*`);
    const digestObjects = evidenceBucket.arnForObjects(`${DIGESTS_ROOT}*`);
    const secretStatements = props.slackWebhookSecretArn
      ? [new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.slackWebhookSecretArn] })]
      : [];
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'soc2-ml-evidence evaluator: reads evidence, writes finding state and the alert log',
      inlinePolicies: {
        read: new PolicyDocument({
          statements: [
            new PolicyStatement({ actions: ['s3:ListBucket'], resources: [evidenceBucket.bucketArn] }),
            new PolicyStatement({ actions: ['s3:GetObject'], resources: [evidenceObjects, stateObjects, digestObjects] }),
            new PolicyStatement({ actions: ['kms:Decrypt'], resources: [evidenceKey.keyArn] }),
            ...secretStatements,
          ],
        }),
        write: new PolicyDocument({
          statements: [
            new PolicyStatement({ actions: ['s3:PutObject', 's3:PutObjectRetention'], resources: [stateObjects, alertObjects] }),
            new PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [evidenceKey.keyArn] }),
            new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
          ],
        }),
      },
    });
    props.configParameter.grantRead(this.role);
    acknowledgeWildcardResource(this.role, evidenceObjects, 'The evaluator reads any evidence object it is notified of.');
    acknowledgeWildcardResource(this.role, stateObjects, 'Finding state lives under state/v1/, replaced on each evaluation.');
    acknowledgeWildcardResource(
      this.role,
      digestObjects,
      'The digests sealing the evidence it evaluates, and their public keys.',
    );
    acknowledgeWildcardResource(this.role, alertObjects, 'Alert log keys are generated per alert under evidence/v1/alerts/.');

    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = workQueue(this, {
      functionTimeout: FUNCTION_TIMEOUT,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    }));
    evidenceBucket.addEventNotification(EventType.OBJECT_CREATED, new BucketEventsToQueue(this.queue), {
      prefix: EVIDENCE_PREFIX,
    });

    this.function = handlerFunction(this, {
      handlerFile: 'evaluate.ts',
      description: 'soc2-ml-evidence: evaluates new evidence, keeps finding state, alerts on transitions',
      role: this.role,
      logGroup,
      memorySize: 2048,
      timeout: FUNCTION_TIMEOUT,
      serviceName: 'soc2-ml-evaluator',
      reservedConcurrentExecutions: 1,
      environment: {
        EVIDENCE_BUCKET: evidenceBucket.bucketName,
        EVIDENCE_KMS_KEY_ARN: evidenceKey.keyArn,
        CONFIG_PARAMETER: props.configParameter.parameterName,
        ...(props.slackWebhookSecretArn ? { SLACK_WEBHOOK_SECRET_ARN: props.slackWebhookSecretArn } : {}),
      },
    });
    this.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, maxBatchingWindow: Duration.seconds(2), reportBatchItemFailures: true }),
    );

    this.errorAlarm = errorAlarm(this, this.function, 'soc2-ml-evidence evaluator failed; alerts may be delayed');
  }
}
