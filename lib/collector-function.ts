import { join } from 'node:path';
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
// cdk-nag's own flattening, so that acknowledgement ids match its finding ids exactly.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct } from 'constructs';
import { COLLECTOR_READ_GRANTS, expandArnPattern } from '../lambdas/collectors/permissions';
import { EVIDENCE_PREFIX } from '../lambdas/evidence/evidence-io';
import type { CollectorName } from '../lambdas/evidence/record';

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

const HANDLER_ENTRY = join(__dirname, '..', 'lambdas', 'handlers', 'collect.ts');
const MAX_ASYNC_RETRIES = 2;

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

    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const evidenceObjects = props.evidenceBucket.arnForObjects(`${EVIDENCE_PREFIX}*`);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `soc2-ml-evidence ${props.collector} collector: read-only, writes evidence only`,
      inlinePolicies: {
        read: new PolicyDocument({ statements: this.readStatements(props) }),
        evidence: new PolicyDocument({
          statements: [
            new PolicyStatement({ actions: ['s3:PutObject', 's3:PutObjectRetention'], resources: [evidenceObjects] }),
            new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Encrypt'], resources: [props.evidenceKey.keyArn] }),
            new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
          ],
        }),
      },
    });
    props.configParameter.grantRead(this.role);
    this.acknowledgeWildcardResources(props, evidenceObjects);

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter destination of the collector; it needs none of its own.',
    });

    this.function = new NodejsFunction(this, 'Function', {
      entry: HANDLER_ENTRY,
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 1024,
      timeout: Duration.minutes(10),
      role: this.role,
      logGroup,
      description: `soc2-ml-evidence: collects ${props.collector} evidence`,
      environment: {
        COLLECTOR: props.collector,
        EVIDENCE_BUCKET: props.evidenceBucket.bucketName,
        EVIDENCE_KMS_KEY_ARN: props.evidenceKey.keyArn,
        CONFIG_PARAMETER: props.configParameter.parameterName,
        POWERTOOLS_SERVICE_NAME: 'soc2-ml-collector',
        POWERTOOLS_METRICS_NAMESPACE: 'Soc2MlEvidence',
        NODE_OPTIONS: '--enable-source-maps',
      },
      retryAttempts: MAX_ASYNC_RETRIES,
      onFailure: new SqsDestination(this.deadLetterQueue),
      bundling: {
        format: OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // Our pinned SDK clients are bundled; the SSM client (used only by Powertools
        // Parameters) is not a dependency of this project and comes from the Lambda runtime.
        externalModules: ['@aws-sdk/client-ssm'],
        forceDockerBundling: false,
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Pinned to nodejs22.x, the runtime the project is tested against (STACK.md); upgrades are deliberate.',
    });

    new Rule(this, 'Schedule', {
      description: `soc2-ml-evidence: scheduled ${props.collector} snapshot`,
      schedule: Schedule.expression(props.schedule),
      targets: [
        new LambdaFunction(this.function, {
          retryAttempts: MAX_ASYNC_RETRIES,
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });

    this.errorAlarm = new Alarm(this, 'Errors', {
      alarmDescription: `soc2-ml-evidence ${props.collector} collector failed; evidence for this period may be missing`,
      metric: this.function.metricErrors({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  private readStatements(props: CollectorFunctionProps): PolicyStatement[] {
    return COLLECTOR_READ_GRANTS[props.collector].map(
      (grant) =>
        new PolicyStatement({
          actions: [...grant.actions],
          resources: grant.resources === '*' ? ['*'] : grant.resources.flatMap((pattern) => this.arns(pattern, props)),
        }),
    );
  }

  private arns(pattern: string, props: CollectorFunctionProps): string[] {
    return expandArnPattern(pattern, { partition: Aws.PARTITION, account: Stack.of(this).account, regions: props.regions });
  }

  /**
   * cdk-nag v3 wants each wildcard resource acknowledged on its own. Collectors describe every
   * resource of a type in the account (or, for `*`, the action has no resource-level
   * permissions), and the evidence grant is a key prefix: all of them by design.
   */
  private acknowledgeWildcardResources(props: CollectorFunctionProps, evidenceObjects: string): void {
    const stack = Stack.of(this);
    const finding = (resource: string) => `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(resource))}]`;
    for (const grant of COLLECTOR_READ_GRANTS[props.collector]) {
      if (grant.resources === '*') {
        Validations.of(this.role).acknowledge({
          id: finding('*'),
          reason: `${grant.actions.join(', ')}: no resource-level permissions; IAM accepts only "*".`,
        });
        continue;
      }
      for (const arn of grant.resources.flatMap((pattern) => this.arns(pattern, props))) {
        Validations.of(this.role).acknowledge({
          id: finding(arn),
          reason: `The ${props.collector} collector describes every resource of this type in the account (read-only).`,
        });
      }
    }
    Validations.of(this.role).acknowledge({
      id: finding(evidenceObjects),
      reason: 'Evidence keys are generated per run under evidence/v1/; write-once is enforced by Object Lock and If-None-Match.',
    });
  }
}
