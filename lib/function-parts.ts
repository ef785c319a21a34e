import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type IDestination, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { type DeadLetterQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
// cdk-nag's own flattening, so that acknowledgement ids match its finding ids exactly.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { Construct } from 'constructs';

/**
 * The pieces every soc2-ml Lambda shares, created in the caller's scope under fixed ids
 * (Logs, Function, Errors) so that construct paths and logical ids stay stable.
 */

const HANDLERS_DIR = join(__dirname, '..', 'lambdas', 'handlers');

/** Failed async invocations are retried twice before they reach the dead-letter queue. */
export const MAX_ASYNC_RETRIES = 2;

/** One year of logs, kept when the stack goes. */
export function retainedLogGroup(scope: Construct): LogGroup {
  return new LogGroup(scope, 'Logs', { retention: RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
}

export interface HandlerFunctionProps {
  /** File name under lambdas/handlers/, such as "collect.ts"; its export `handler` is the entry point. */
  handlerFile: string;
  description: string;
  role: IRole;
  logGroup: LogGroup;
  timeout: Duration;
  memorySize: number;
  /** Powertools service name, the dimension of the function's metrics. */
  serviceName: string;
  environment: Record<string, string>;
  /** Async invocations only: where they go after MAX_ASYNC_RETRIES. */
  onFailure?: IDestination;
}

/** Where a write-only function puts its objects: keys under one prefix of the evidence bucket. */
export interface PrefixWrites {
  bucket: IBucket;
  key: IKey;
  /** Such as "evidence/v1/"; the function writes nothing outside it. */
  prefix: string;
  /** The function's own log group. */
  logGroup: LogGroup;
}

/**
 * Write-once objects under the prefix, encrypted with the bucket's key, and the function's
 * own logs: nothing is read back. The acknowledgement names the one wildcard this needs.
 */
export function prefixWriteStatements(writes: PrefixWrites): PolicyStatement[] {
  return [
    new PolicyStatement({
      actions: ['s3:PutObject', 's3:PutObjectRetention'],
      resources: [writes.bucket.arnForObjects(`${writes.prefix}*`)],
    }),
    new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Encrypt'], resources: [writes.key.keyArn] }),
    new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [writes.logGroup.logGroupArn] }),
  ];
}

/** The object wildcard of prefixWriteStatements, acknowledged on the role that holds it. */
export function acknowledgePrefixWrites(role: IRole, writes: Pick<PrefixWrites, 'bucket' | 'prefix'>): void {
  acknowledgeWildcardResource(
    role,
    writes.bucket.arnForObjects(`${writes.prefix}*`),
    `Keys are generated per run under ${writes.prefix}; write-once is enforced by Object Lock and If-None-Match.`,
  );
}

/** A nodejs22.x arm64 function bundled by esbuild (no Docker), with Powertools settings. */
export function handlerFunction(scope: Construct, props: HandlerFunctionProps): NodejsFunction {
  const fn = new NodejsFunction(scope, 'Function', {
    entry: join(HANDLERS_DIR, props.handlerFile),
    handler: 'handler',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    role: props.role,
    logGroup: props.logGroup,
    description: props.description,
    environment: {
      ...props.environment,
      POWERTOOLS_SERVICE_NAME: props.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: 'Soc2MlEvidence',
      NODE_OPTIONS: '--enable-source-maps',
    },
    ...(props.onFailure ? { retryAttempts: MAX_ASYNC_RETRIES, onFailure: props.onFailure } : {}),
    bundling: {
      format: OutputFormat.CJS,
      target: 'node22',
      minify: true,
      sourceMap: true,
      // Bundle every SDK client at the version package-lock.json pins (the NodejsFunction
      // default would leave @aws-sdk/* to whatever version the Lambda runtime carries).
      externalModules: [],
      forceDockerBundling: false,
    },
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'Pinned to nodejs22.x, the runtime the project is tested against (STACK.md); upgrades are deliberate.',
  });
  return fn;
}

/** An SSL-only queue with SQS-managed encryption (no key policy for producers to satisfy). */
export function sslOnlyQueue(
  scope: Construct,
  id: string,
  props: {
    visibilityTimeout?: Duration;
    deadLetterQueue?: DeadLetterQueue;
    fifo?: boolean;
    contentBasedDeduplication?: boolean;
  } = {},
): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    ...props,
  });
}

/** The last stop of failed work: kept 14 days for inspection and redrive. */
export function deadLetterQueue(scope: Construct, id: string, reason: string): Queue {
  const queue = sslOnlyQueue(scope, id);
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  return queue;
}

/** Alarms on the first error in five minutes. */
export function errorAlarm(scope: Construct, fn: NodejsFunction, description: string): Alarm {
  return new Alarm(scope, 'Errors', {
    alarmDescription: description,
    metric: fn.metricErrors({ period: Duration.minutes(5) }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/**
 * cdk-nag v3 wants each wildcard resource acknowledged on its own, so that a new one is
 * reported by name rather than hidden behind a blanket acknowledgement.
 */
export function acknowledgeWildcardResource(scope: Construct, resource: string, reason: string): void {
  const id = `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;
  Validations.of(scope).acknowledge({ id, reason });
}

/** Lambda's advice for SQS event sources: a visibility timeout of six times the function timeout. */
const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * The queue in front of a function and its dead-letter queue (ids Queue and DeadLetters): a
 * message that fails maxReceiveCount times is kept for redrive, never dropped. A FIFO queue
 * needs a FIFO dead-letter queue; its messages must differ (evidence keys are unique).
 */
export function workQueue(
  scope: Construct,
  props: { functionTimeout: Duration; maxReceiveCount: number; fifo?: boolean },
): { queue: Queue; deadLetterQueue: Queue } {
  const fifo = props.fifo === true ? { fifo: true } : {};
  // cdk-nag recognises a redrive target as a dead-letter queue: nothing to acknowledge.
  const dlq = sslOnlyQueue(scope, 'DeadLetters', fifo);
  const queue = sslOnlyQueue(scope, 'Queue', {
    visibilityTimeout: Duration.seconds(props.functionTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
    deadLetterQueue: { queue: dlq, maxReceiveCount: props.maxReceiveCount },
    // EventBridge sends to a FIFO queue only with content-based deduplication (Target SqsParameters).
    ...(props.fifo === true ? { fifo: true, contentBasedDeduplication: true } : {}),
  });
  return { queue, deadLetterQueue: dlq };
}
