import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyDocument, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { EVIDENCE_ROOT } from '../lambdas/evidence/layout';
import type { CollectorName } from '../lambdas/evidence/record';
import { acknowledgeCollectorReads, collectorReadStatements } from './collector-read-policy';
import {
  acknowledgePrefixWrites,
  deadLetterQueue,
  errorAlarm,
  handlerFunction,
  MAX_ASYNC_RETRIES,
  prefixWriteStatements,
  retainedLogGroup,
} from './function-parts';

export interface CollectorFunctionProps {
  collector: CollectorName;
  /** EventBridge schedule expression, such as "rate(6 hours)". */
  schedule: string;
  /** Regions the collector describes: its regional read permissions name exactly these. */
  regions: readonly string[];
  evidenceBucket: IBucket;
  evidenceKey: IKey;
  /** SSM parameter holding the validated configuration as JSON. */
  configParameter: IStringParameter;
}

/**
 * One collector as a scheduled Lambda: its own read-only role built from the permissions
 * table, write access to evidence/v1/ only, a dead-letter queue for failed invocations and
 * an alarm on errors.
 */
export class CollectorFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly deadLetterQueue: Queue;
  readonly errorAlarm: Alarm;

  constructor(scope: Construct, id: string, props: CollectorFunctionProps) {
    super(scope, id);

    const logGroup = retainedLogGroup(this);
    const writes = { bucket: props.evidenceBucket, key: props.evidenceKey, prefix: EVIDENCE_ROOT, logGroup };
    const read = { collectors: [props.collector], regions: props.regions };
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `soc2-ml-evidence ${props.collector} collector: read-only, writes evidence only`,
      inlinePolicies: {
        read: new PolicyDocument({ statements: collectorReadStatements(this, read) }),
        evidence: new PolicyDocument({ statements: prefixWriteStatements(writes) }),
      },
    });
    props.configParameter.grantRead(this.role);
    acknowledgeCollectorReads(this.role, read);
    acknowledgePrefixWrites(this.role, writes);

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'This queue is the dead-letter destination of the collector; it needs none of its own.',
    );

    this.function = handlerFunction(this, {
      handlerFile: 'collect.ts',
      description: `soc2-ml-evidence: collects ${props.collector} evidence`,
      role: this.role,
      logGroup,
      memorySize: 1024,
      timeout: Duration.minutes(10),
      serviceName: 'soc2-ml-collector',
      environment: {
        COLLECTOR: props.collector,
        EVIDENCE_BUCKET: props.evidenceBucket.bucketName,
        EVIDENCE_KMS_KEY_ARN: props.evidenceKey.keyArn,
        CONFIG_PARAMETER: props.configParameter.parameterName,
      },
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    new Rule(this, 'Schedule', {
      description: `soc2-ml-evidence: scheduled ${props.collector} snapshot`,
      schedule: Schedule.expression(props.schedule),
      targets: [new LambdaFunction(this.function, { retryAttempts: MAX_ASYNC_RETRIES, deadLetterQueue: this.deadLetterQueue })],
    });

    this.errorAlarm = errorAlarm(
      this,
      this.function,
      `soc2-ml-evidence ${props.collector} collector failed; evidence for this period may be missing`,
    );
  }
}
