import { Aws, Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { type Policy, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import {
  Chain,
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Map as InlineMap,
  JitterType,
  LogLevel,
  Parallel,
  Pass,
  ProvideItems,
  QueryLanguage,
  StateMachine,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { Soc2MlConfig } from '../lambdas/config/schema';
import { EVIDENCE_PREFIX } from '../lambdas/evidence/evidence-io';
import { COLLECTOR_NAMES } from '../lambdas/evidence/record';
import { RUN_SUMMARY_PREFIX } from '../lambdas/organization/plan';
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
}

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

/** Only what the summary needs travels back through the map: state payloads are limited to 256 KB. */
const TASK_OUTPUT =
  '{% {"collector": $states.result.Payload.collector, "account": $states.result.Payload.account, "region": $states.result.Payload.region, "status": $states.result.Payload.status, "errors": $states.result.Payload.errors} %}';
const FAILED_OUTPUT =
  '{% {"collector": $states.input.collector, "account": $states.input.account, "region": $states.input.region, "status": "failed", "message": $string($states.errorOutput.Error) & ": " & $substring($string($states.errorOutput.Cause), 0, 300)} %}';

/**
 * The organisation-wide collection: list the target accounts (or take the configured ones),
 * plan one task per collector, account and region, run each collector in its own distributed
 * map with its own concurrency (SageMaker and IAM throttle per account and the collectors
 * share the central Lambda concurrency), retry Lambda failures with backoff, and store a
 * summary of what was covered and what failed under runs/v1/. Scheduled by EventBridge.
 */
export class OrganizationFanout extends Construct {
  readonly memberCollector: NodejsFunction;
  readonly memberCollectorRole: Role;
  readonly runFunction: NodejsFunction;
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: OrganizationFanoutProps) {
    super(scope, id);
    const { organization } = props;
    const environment = {
      EVIDENCE_BUCKET: props.evidenceBucket.bucketName,
      EVIDENCE_KMS_KEY_ARN: props.evidenceKey.keyArn,
      CONFIG_PARAMETER: props.configParameter.parameterName,
    };

    const collectorScope = new Construct(this, 'MemberCollector');
    const evidenceWrites = this.writes(props, EVIDENCE_PREFIX, retainedLogGroup(collectorScope));
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
    const runRole = new Role(runScope, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'soc2-ml-evidence organisation run: plans tasks, stores the run summary',
      inlinePolicies: { summary: new PolicyDocument({ statements: prefixWriteStatements(summaryWrites) }) },
    });
    props.configParameter.grantRead(runRole);
    acknowledgePrefixWrites(runRole, summaryWrites);
    this.runFunction = handlerFunction(runScope, {
      handlerFile: 'organization-run.ts',
      description: 'soc2-ml-evidence: plans an organisation run and stores its summary',
      role: runRole,
      logGroup: summaryWrites.logGroup,
      memorySize: 512,
      timeout: Duration.minutes(2),
      serviceName: 'soc2-ml-organization-run',
      environment,
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
        results: '{% $states.input %}',
      }),
      outputs: '{% $states.result.Payload.byStatus %}',
      retryOnServiceExceptions: false,
    });
    summary.addRetry({ errors: RETRIED_ERRORS, ...TASK_RETRY, jitterStrategy: JitterType.FULL });

    const definition = (
      organization.accounts === undefined ? this.listAccounts(organization.organizationalUnits).next(plan) : Chain.start(plan)
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
      'organizations:ListAccountsForParent reads the configured OUs; the listing needs the organisation-wide scope.',
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
      items: ProvideItems.jsonata(`{% $states.input.plan.${collector} %}`),
      maxConcurrency,
      label: `Map${collector}`,
    }).itemProcessor(task);
  }

  /**
   * Every account directly in the OUs, page by page (Organizations returns at most 20 per page):
   * the first page without a token, the next ones with it.
   */
  private listAccounts(organizationalUnits: readonly string[]): Chain {
    const pageOutput =
      '{% {"parentId": $states.input.parentId, "accounts": $append($states.input.accounts, $states.result.Accounts.{"Id": Id, "Status": Status, "State": State}), "nextToken": $states.result.NextToken} %}';
    const listing = (id: string, withToken: boolean) => {
      const task = CallAwsService.jsonata(this, id, {
        service: 'organizations',
        action: 'listAccountsForParent',
        iamResources: ['*'],
        parameters: {
          ParentId: '{% $states.input.parentId %}',
          ...(withToken ? { NextToken: '{% $states.input.nextToken %}' } : {}),
        },
        outputs: pageOutput,
      });
      task.addRetry({
        errors: ['Organizations.TooManyRequestsException', 'Organizations.ServiceException'],
        ...TASK_RETRY,
        jitterStrategy: JitterType.FULL,
      });
      return task;
    };
    const firstPage = listing('List accounts', false);
    const nextPage = listing('List more accounts', true);
    const more = Choice.jsonata(this, 'More accounts?')
      .when(Condition.jsonata('{% $exists($states.input.nextToken) %}'), nextPage)
      .otherwise(Pass.jsonata(this, 'Unit listed', { outputs: '{% $states.input.accounts %}' }));
    firstPage.next(more);
    nextPage.next(more);
    const perUnit = InlineMap.jsonata(this, 'Each unit', {
      items: ProvideItems.jsonArray([...organizationalUnits]),
      itemSelector: { parentId: '{% $states.context.Map.Item.Value %}', accounts: [] },
      maxConcurrency: 1,
    }).itemProcessor(firstPage);
    return Chain.start(perUnit);
  }
}
