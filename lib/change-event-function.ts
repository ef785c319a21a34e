import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyDocument, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { COLLECTOR_NAMES } from '../lambdas/evidence/record';
import { CHANGE_HANDLER_ACTIONS } from '../lambdas/handlers/permissions';
import { acknowledgeCollectorReads, collectorReadStatements } from './collector-read-policy';
import { errorAlarm, handlerFunction, retainedLogGroup, workQueue } from './function-parts';
import { acknowledgeHandlerGrants, handlerInlinePolicies } from './handler-grants';

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
    const read = { collectors: COLLECTOR_NAMES, regions: props.regions };
    const grants = { evidenceBucket: props.evidenceBucket, evidenceKey: props.evidenceKey, logGroup };
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'soc2-ml-evidence change events: re-collects changed resources read-only, writes evidence only',
      inlinePolicies: {
        read: new PolicyDocument({ statements: collectorReadStatements(this, read) }),
        ...handlerInlinePolicies(CHANGE_HANDLER_ACTIONS, grants),
      },
    });
    props.configParameter.grantRead(this.role);
    acknowledgeCollectorReads(this.role, read);
    acknowledgeHandlerGrants(this.role, CHANGE_HANDLER_ACTIONS, grants);

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
