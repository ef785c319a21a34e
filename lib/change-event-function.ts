import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { EVIDENCE_PREFIX } from '../lambdas/evidence/evidence-io';
import { COLLECTOR_NAMES } from '../lambdas/evidence/record';
import { acknowledgeCollectorReads, collectorReadStatements } from './collector-read-policy';
import { acknowledgeWildcardResource, errorAlarm, handlerFunction, retainedLogGroup, workQueue } from './function-parts';

export interface ChangeEventFunctionProps {
  /** Regions the collectors describe: regional read permissions name exactly these. */
  regions: readonly string[];
  evidenceBucket: IBucket;
  evidenceKey: IKey;
  /** SSM parameter holding the validated configuration as JSON. */
  configParameter: IStringParameter;
  /** Wait before re-collecting, so that describe calls see the change (eventual consistency). */
  delaySeconds: number;
}

const FUNCTION_TIMEOUT = Duration.minutes(5);

/**
 * The change-event path: CloudTrail events (from the ChangeEventRules) queue up in an SSL-only
 * SQS queue with a dead-letter queue, and the change-events handler re-collects each affected
 * resource through the collectors, in batches, reporting failed items one by one. Its role
 * reads what every collector reads and writes evidence/v1/ only.
 */
export class ChangeEventFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly errorAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ChangeEventFunctionProps) {
    super(scope, id);

    const logGroup = retainedLogGroup(this);
    const evidenceObjects = props.evidenceBucket.arnForObjects(`${EVIDENCE_PREFIX}*`);
    const read = { collectors: COLLECTOR_NAMES, regions: props.regions };
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'soc2-ml-evidence change events: re-collects changed resources read-only, writes evidence only',
      inlinePolicies: {
        read: new PolicyDocument({ statements: collectorReadStatements(this, read) }),
        evidence: new PolicyDocument({
          statements: [
            // GetObject and ListBucket: a write-once put that meets an existing key reads it back (duplicate delivery).
            new PolicyStatement({
              actions: ['s3:PutObject', 's3:PutObjectRetention', 's3:GetObject'],
              resources: [evidenceObjects],
            }),
            new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.evidenceBucket.bucketArn] }),
            new PolicyStatement({
              actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
              resources: [props.evidenceKey.keyArn],
            }),
            new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
          ],
        }),
      },
    });
    props.configParameter.grantRead(this.role);
    acknowledgeCollectorReads(this.role, read);
    acknowledgeWildcardResource(
      this.role,
      evidenceObjects,
      'Evidence and change-log keys are generated per event under evidence/v1/; write-once is enforced by Object Lock and If-None-Match.',
    );

    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = workQueue(this, {
      functionTimeout: FUNCTION_TIMEOUT,
      maxReceiveCount: 5,
    }));

    this.function = handlerFunction(this, {
      handlerFile: 'change-events.ts',
      description: 'soc2-ml-evidence: re-collects resources named by CloudTrail change events',
      role: this.role,
      logGroup,
      memorySize: 1024,
      timeout: FUNCTION_TIMEOUT,
      serviceName: 'soc2-ml-change-events',
      environment: {
        EVIDENCE_BUCKET: props.evidenceBucket.bucketName,
        EVIDENCE_KMS_KEY_ARN: props.evidenceKey.keyArn,
        CONFIG_PARAMETER: props.configParameter.parameterName,
        CHANGE_DELAY_SECONDS: String(props.delaySeconds),
      },
    });
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(2),
        reportBatchItemFailures: true,
      }),
    );

    this.errorAlarm = errorAlarm(
      this,
      this.function,
      'soc2-ml-evidence change-event handler failed; changes wait in the queue or its dead-letter queue',
    );
  }
}
