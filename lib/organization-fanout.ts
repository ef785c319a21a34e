import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { type Policy, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import {
  Chain,
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  JitterType,
  LogLevel,
  OutputType,
  Parallel,
  Pass,
  QueryLanguage,
  ResultWriterV2,
  S3JsonItemReader,
  StateMachine,
  TaskInput,
  Transformation,
  WriterConfig,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { Soc2MlConfig } from '../lambdas/config/schema';
import { EVIDENCE_ROOT, RUN_SUMMARY_PREFIX } from '../lambdas/evidence/layout';
import { COLLECTOR_NAMES } from '../lambdas/evidence/record';
import { RUN_DATA_PLAN_PREFIX, RUN_DATA_RESULTS_PREFIX } from '../lambdas/organization/run-data';
import {
  acknowledgePrefixWrites,
  acknowledgeWildcardResource,
  handlerFunction,
  type PrefixWrites,
  prefixWriteStatements,
  retainedLogGroup,
} from './function-parts';

export interface OrganizationFanoutProps {
  organization: Soc2MlConfig['organization'];
  evidenceBucket: IBucket;
  evidenceKey: IKey;
  configParameter: IStringParameter;
  /** Server access logs of the run-data bucket. */
  accessLogBucket: IBucket;
}

/** Run plans and map results are working data, kept long enough to investigate a run. */
const RUN_DATA_DAYS = 30;

/** Lambda errors worth another attempt: throttling, service faults, and a task that threw (evidence not stored). */
export const RETRIED_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'States.TaskFailed',
];
export const TASK_RETRY = { interval: Duration.seconds(10), backoffRate: 2, maxAttempts: 4, maxDelay: Duration.minutes(5) };

/** Only what the summary needs is written per task to the map's results. */
const TASK_OUTPUT =
  '{% {"collector": $states.result.Payload.collector, "account": $states.result.Payload.account, "region": $states.result.Payload.region, "status": $states.result.Payload.status, "errors": $states.result.Payload.errors} %}';
const FAILED_OUTPUT =
  '{% {"collector": $states.input.collector, "account": $states.input.account, "region": $states.input.region, "status": "failed", "message": $string($states.errorOutput.Error) & ": " & $substring($string($states.errorOutput.Cause), 0, 300)} %}';

/**
 * The organisation-wide collection: walk the configured OUs and every OU below them for their
 * accounts (or take the configured accounts), plan one task per collector, account and region
 * into the run-data bucket, run each collector in its own distributed map with its own
 * concurrency (SageMaker and IAM throttle per account and the collectors share the central
 * Lambda concurrency) reading its tasks from S3 and writing its results there, retry Lambda
 * failures with backoff, and store a summary of what was covered and what failed under
 * runs/v1/. No list grows in the state itself, which Step Functions limits to 256 KiB.
 * Scheduled by EventBridge.
 */
export class OrganizationFanout extends Construct {
  readonly memberCollector: NodejsFunction;
  readonly memberCollectorRole: Role;
  readonly runFunction: NodejsFunction;
  readonly stateMachine: StateMachine;
  /** Each run's plan (read by the maps) and the maps' results (read by the summary). */
  readonly runData: Bucket;

  constructor(scope: Construct, id: string, props: OrganizationFanoutProps) {
    super(scope, id);
    const { organization } = props;
    const environment = {
      EVIDENCE_BUCKET: props.evidenceBucket.bucketName,
      EVIDENCE_KMS_KEY_ARN: props.evidenceKey.keyArn,
      CONFIG_PARAMETER: props.configParameter.parameterName,
    };

    this.runData = new Bucket(this, 'RunData', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.evidenceKey,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'run-data/',
      lifecycleRules: [{ id: 'expire-run-data', expiration: Duration.days(RUN_DATA_DAYS) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const collectorScope = new Construct(this, 'MemberCollector');
    const evidenceWrites = this.writes(props, EVIDENCE_ROOT, retainedLogGroup(collectorScope));
    const memberRoles = `arn:${Aws.PARTITION}:iam::*:role/${organization.memberRoleName}`;
    this.memberCollectorRole = new Role(collectorScope, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'soc2-ml-evidence member-account collector: assumes the member role, writes evidence only',
      inlinePolicies: {
        assume: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['sts:AssumeRole'],
              resources: [memberRoles],
              conditions: { StringEquals: { 'aws:ResourceOrgID': organization.organizationId } },
            }),
          ],
        }),
        evidence: new PolicyDocument({ statements: prefixWriteStatements(evidenceWrites) }),
      },
    });
    props.configParameter.grantRead(this.memberCollectorRole);
    acknowledgePrefixWrites(this.memberCollectorRole, evidenceWrites);
    acknowledgeWildcardResource(
      this.memberCollectorRole,
      memberRoles,
      'The member role has one name in every account of the organisation (aws:ResourceOrgID condition).',
    );
    this.memberCollector = handlerFunction(collectorScope, {
      handlerFile: 'collect-member.ts',
      description: 'soc2-ml-evidence: one collector in one member account and region',
      role: this.memberCollectorRole,
      logGroup: evidenceWrites.logGroup,
      memorySize: 1024,
      timeout: Duration.minutes(10),
      serviceName: 'soc2-ml-member-collector',
      environment,
    });

    const runScope = new Construct(this, 'Run');
    const summaryWrites = this.writes(props, RUN_SUMMARY_PREFIX, retainedLogGroup(runScope));
    const plans = this.runData.arnForObjects(`${RUN_DATA_PLAN_PREFIX}*`);
    const results = this.runData.arnForObjects(`${RUN_DATA_RESULTS_PREFIX}*`);
    const runRole = new Role(runScope, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'soc2-ml-evidence organisation run: plans tasks, stores the run summary and records accounts not collected',
      inlinePolicies: {
        summary: new PolicyDocument({ statements: prefixWriteStatements(summaryWrites) }),
        runData: new PolicyDocument({
          statements: [
            new PolicyStatement({ actions: ['s3:PutObject'], resources: [plans] }),
            new PolicyStatement({ actions: ['s3:GetObject'], resources: [results] }),
            new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.evidenceKey.keyArn] }),
          ],
        }),
      },
    });
    // Accounts in scope that cannot be collected get evidence records holding the reason.
    runRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:PutObjectRetention'],
        resources: [props.evidenceBucket.arnForObjects(`${EVIDENCE_ROOT}*`)],
      }),
    );
    props.configParameter.grantRead(runRole);
    acknowledgePrefixWrites(runRole, summaryWrites);
    acknowledgePrefixWrites(runRole, { bucket: props.evidenceBucket, prefix: EVIDENCE_ROOT });
    acknowledgeWildcardResource(runRole, plans, 'The plan step writes one task list per collector and run under plans/.');
    acknowledgeWildcardResource(runRole, results, 'The summary reads the map results Step Functions writes under results/.');
    this.runFunction = handlerFunction(runScope, {
      handlerFile: 'organization-run.ts',
      description: 'soc2-ml-evidence: plans an organisation run and stores its summary',
      role: runRole,
      logGroup: summaryWrites.logGroup,
      memorySize: 512,
      timeout: Duration.minutes(2),
      serviceName: 'soc2-ml-organization-run',
      environment: { ...environment, RUN_DATA_BUCKET: this.runData.bucketName },
    });

    const plan = LambdaInvoke.jsonata(this, 'Plan', {
      lambdaFunction: this.runFunction,
      payload: TaskInput.fromObject({
        step: 'plan',
        runId: '{% $states.context.Execution.Name %}',
        ...(organization.accounts === undefined ? { listed: '{% $reduce($states.input, $append, []) %}' } : {}),
      }),
      outputs: '{% $states.result.Payload %}',
      retryOnServiceExceptions: false,
      assign: {
        runId: '{% $states.result.Payload.runId %}',
        startedAt: '{% $states.result.Payload.startedAt %}',
        accounts: '{% $states.result.Payload.accounts %}',
        notCollected: '{% $states.result.Payload.notCollected %}',
        planKeys: '{% $states.result.Payload.planKeys %}',
      },
    });
    plan.addRetry({ errors: RETRIED_ERRORS, ...TASK_RETRY, jitterStrategy: JitterType.FULL });

    const collect = new Parallel(this, 'Collect', { queryLanguage: QueryLanguage.JSONATA });
    for (const collector of COLLECTOR_NAMES) collect.branch(this.collectorMap(collector, organization.maxConcurrency[collector]));

    const summary = LambdaInvoke.jsonata(this, 'Summary', {
      lambdaFunction: this.runFunction,
      payload: TaskInput.fromObject({
        step: 'summary',
        runId: '{% $runId %}',
        startedAt: '{% $startedAt %}',
        accounts: '{% $accounts %}',
        notCollected: '{% $notCollected %}',
        results: '{% $states.input.ResultWriterDetails[] %}',
      }),
      outputs: '{% $states.result.Payload %}',
      retryOnServiceExceptions: false,
    });
    summary.addRetry({ errors: RETRIED_ERRORS, ...TASK_RETRY, jitterStrategy: JitterType.FULL });

    const definition = (
      organization.accounts === undefined ? this.walkUnits(organization.organizationalUnits).next(plan) : Chain.start(plan)
    )
      .next(collect)
      .next(summary);
    const machineLogs = new LogGroup(this, 'StateMachineLogs', { retention: RetentionDays.ONE_YEAR });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      queryLanguage: QueryLanguage.JSONATA,
      comment: 'soc2-ml-evidence: collects every member account and region of the organisation',
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(6),
      tracingEnabled: true,
      logs: { destination: machineLogs, level: LogLevel.ALL, includeExecutionData: false },
    });

    // Reading the plan and writing results through the bucket's KMS key.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.evidenceKey.keyArn] }),
    );
    this.acknowledgeStateMachinePolicies();

    new Rule(this, 'Schedule', {
      description: 'soc2-ml-evidence: organisation-wide collection',
      schedule: Schedule.expression(organization.schedule),
      targets: [new SfnStateMachine(this.stateMachine)],
    });
  }

  /** The policies CDK writes for the state machine: invoke any version of our functions, run its own map children. */
  private acknowledgeStateMachinePolicies(): void {
    const role = this.stateMachine.role;
    for (const fn of [this.memberCollector, this.runFunction])
      acknowledgeWildcardResource(role, `${fn.functionArn}:*`, 'CDK grants invoking every version of the task function.');
    acknowledgeWildcardResource(
      role,
      '*',
      'organizations:ListAccountsForParent and ListOrganizationalUnitsForParent walk the configured OUs; the listing needs the organisation-wide scope.',
    );
    // CDK's ItemReader and ResultWriter policies name the objects by bucket name.
    acknowledgeWildcardResource(
      role,
      `arn:${Aws.PARTITION}:s3:::${this.runData.bucketName}/*`,
      'The maps read their task lists (ItemReader) and write their results (ResultWriter) in the run-data bucket.',
    );
    const mapPolicy = this.stateMachine.node.tryFindChild('DistributedMapPolicy') as Policy | undefined;
    const statements = (mapPolicy?.document.toJSON() as { Statement?: { Resource: string | string[] }[] } | undefined)?.Statement;
    for (const resource of (statements ?? []).flatMap((statement) => [statement.Resource].flat()))
      acknowledgeWildcardResource(
        mapPolicy!,
        resource,
        "CDK's distributed-map policy: the state machine starts, describes and stops its own child executions, whose ARNs are generated.",
      );
  }

  private writes(props: OrganizationFanoutProps, prefix: string, logGroup: LogGroup): PrefixWrites {
    return { bucket: props.evidenceBucket, key: props.evidenceKey, prefix, logGroup };
  }

  /** One distributed map per collector: its own concurrency, retries and failure capture. */
  private collectorMap(collector: string, maxConcurrency: number): DistributedMap {
    const task = LambdaInvoke.jsonata(this, `Collect ${collector}`, {
      lambdaFunction: this.memberCollector,
      payload: TaskInput.fromText('{% $states.input %}'),
      outputs: TASK_OUTPUT,
      retryOnServiceExceptions: false,
    });
    task.addRetry({ errors: RETRIED_ERRORS, ...TASK_RETRY, jitterStrategy: JitterType.FULL });
    task.addCatch(Pass.jsonata(this, `Failed ${collector}`, { outputs: '{% $states.input %}' }), {
      errors: ['States.ALL'],
      outputs: FAILED_OUTPUT,
    });
    return DistributedMap.jsonata(this, `Map ${collector}`, {
      itemReader: new S3JsonItemReader({ bucket: this.runData, key: `{% $planKeys.${collector} %}` }),
      resultWriterV2: new ResultWriterV2({
        bucket: this.runData,
        prefix: `${RUN_DATA_RESULTS_PREFIX}${collector}`,
        writerConfig: new WriterConfig({ outputType: OutputType.JSON, transformation: Transformation.COMPACT }),
      }),
      maxConcurrency,
      label: `Map${collector}`,
    }).itemProcessor(task);
  }

  /**
   * Every account in the OUs and in every OU below them (a root id: the whole organisation):
   * ListAccountsForParent returns direct children only, so the walk keeps a queue of units,
   * lists each one's accounts and child units page by page (20 per page at most), and appends
   * the children to the queue. The state carries the unit queue and the accounts found.
   */
  private walkUnits(organizationalUnits: readonly string[]): Chain {
    const retry = (task: CallAwsService) =>
      task.addRetry({
        errors: ['Organizations.TooManyRequestsException', 'Organizations.ServiceException'],
        ...TASK_RETRY,
        jitterStrategy: JitterType.FULL,
      });
    const page = (id: string, action: string, withToken: boolean, outputs: string) => {
      const task = CallAwsService.jsonata(this, id, {
        service: 'organizations',
        action,
        iamResources: ['*'],
        parameters: {
          ParentId: '{% $states.input.queue[0] %}',
          ...(withToken ? { NextToken: '{% $states.input.nextToken %}' } : {}),
        },
        outputs,
      });
      retry(task);
      return task;
    };
    const accountsPage =
      '{% {"queue": $states.input.queue, "accounts": $append($states.input.accounts, $states.result.Accounts.{"Id": Id, "Status": Status, "State": State}), "nextToken": $states.result.NextToken} %}';
    const unitsPage =
      '{% {"queue": $append($states.input.queue, $states.result.OrganizationalUnits.Id), "accounts": $states.input.accounts, "nextToken": $states.result.NextToken} %}';
    const firstAccounts = page('List accounts', 'listAccountsForParent', false, accountsPage);
    const moreAccounts = page('List more accounts', 'listAccountsForParent', true, accountsPage);
    const firstUnits = page('List child units', 'listOrganizationalUnitsForParent', false, unitsPage);
    const moreUnits = page('List more child units', 'listOrganizationalUnitsForParent', true, unitsPage);
    const nextUnit = Pass.jsonata(this, 'Next unit', {
      outputs: '{% {"queue": $filter($states.input.queue, function($v, $i) { $i > 0 }), "accounts": $states.input.accounts} %}',
    });
    const unitsWalked = Pass.jsonata(this, 'Units walked', { outputs: '{% $states.input.accounts %}' });
    const anyUnitLeft = Choice.jsonata(this, 'Units left?')
      .when(Condition.jsonata('{% $count($states.input.queue) > 0 %}'), firstAccounts)
      .otherwise(unitsWalked);
    const moreAccountPages = Choice.jsonata(this, 'More accounts?')
      .when(Condition.jsonata('{% $exists($states.input.nextToken) %}'), moreAccounts)
      .otherwise(firstUnits);
    const moreUnitPages = Choice.jsonata(this, 'More child units?')
      .when(Condition.jsonata('{% $exists($states.input.nextToken) %}'), moreUnits)
      .otherwise(nextUnit);
    firstAccounts.next(moreAccountPages);
    moreAccounts.next(moreAccountPages);
    firstUnits.next(moreUnitPages);
    moreUnits.next(moreUnitPages);
    nextUnit.next(anyUnitLeft);
    const start = Pass.jsonata(this, 'Walk units', {
      outputs: { queue: [...organizationalUnits], accounts: [] },
    });
    start.next(anyUnitLeft);
    // The walk ends when no unit is left; the run continues from there.
    return Chain.custom(start, [unitsWalked], unitsWalked);
  }
}
