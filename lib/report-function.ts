import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { AccountRootPrincipal, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { REPORT_HANDLER_ACTIONS } from '../lambdas/handlers/permissions';
import { deadLetterQueue, errorAlarm, handlerFunction, MAX_ASYNC_RETRIES, retainedLogGroup } from './function-parts';
import { acknowledgeHandlerGrants, handlerInlinePolicies } from './handler-grants';
import { denyKeyDestruction } from './key-deletion-guard';

export interface ReportFunctionProps {
  /** EventBridge schedule expression of the report (config.schedules.report). */
  schedule: string;
  evidenceBucket: IBucket;
  evidenceKey: IKey;
  /** SSM parameter holding the validated configuration as JSON. */
  configParameter: IStringParameter;
  /** config.slack.webhookSecretArn: the only secret the report may read, to post its summary. */
  slackWebhookSecretArn?: string;
}

/** 06:00 UTC on the first day of each month: the period report of the month that just ended. */
export const PERIOD_REPORT_SCHEDULE = 'cron(0 6 1 * ? *)';
/** The event the monthly rule sends; `{ "period": { "from": "YYYY-MM-DD", "to": "YYYY-MM-DD" } }` asks for any window. */
export const PREVIOUS_MONTH_PERIOD_EVENT = { period: 'previous-month' } as const;

/**
 * Key administration without kms:Sign and kms:CreateGrant, written out rather than `kms:*`: no
 * IAM policy in the account can then let anyone but the report function sign digests.
 */
const KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:ListResourceTags',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateKeyDescription',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:ListGrants',
  'kms:RevokeGrant',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
];

/**
 * The scheduled report: seals the digest periods that closed with an asymmetric KMS key
 * (ECC_NIST_P256, SIGN_VERIFY) that only this function may use to sign, verifies the chain,
 * evaluates and stores the five report formats under reports/, then posts a Slack summary when
 * a webhook secret is configured, with the expiry reminders. Reads evidence, writes only reports/,
 * digests/ and the reminder state object.
 */
export class ReportFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly signingKey: Key;
  readonly deadLetterQueue: Queue;
  readonly errorAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ReportFunctionProps) {
    super(scope, id);
    const { evidenceBucket, evidenceKey } = props;

    const logGroup = retainedLogGroup(this);
    const grants = { evidenceBucket, evidenceKey, logGroup, slackWebhookSecretArn: props.slackWebhookSecretArn };
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'soc2-ml-evidence report: reads the evidence store, writes reports and digests only',
      inlinePolicies: handlerInlinePolicies(REPORT_HANDLER_ACTIONS, grants),
    });
    props.configParameter.grantRead(this.role);
    acknowledgeHandlerGrants(this.role, REPORT_HANDLER_ACTIONS, grants);

    // Signing rights live in the key policy, naming this role: no IAM policy can grant kms:Sign.
    const accountPrincipals = new AccountRootPrincipal();
    this.signingKey = new Key(this, 'SigningKey', {
      description: 'soc2-ml-evidence: signs the evidence digest chain (public key verifies offline)',
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'KeyAdministrationWithoutSigning',
            principals: [accountPrincipals],
            actions: KEY_ADMIN_ACTIONS,
            resources: ['*'],
          }),
          new PolicyStatement({
            sid: 'AnyoneInTheAccountReadsThePublicKey',
            principals: [accountPrincipals],
            actions: ['kms:GetPublicKey'],
            resources: ['*'],
          }),
          new PolicyStatement({
            sid: 'OnlyTheReportFunctionSigns',
            principals: [this.role],
            actions: ['kms:Sign', 'kms:GetPublicKey'],
            resources: ['*'],
          }),
        ],
      }),
    });
    // The explicit Deny overrides the deletion and disabling in KEY_ADMIN_ACTIONS.
    denyKeyDestruction(this.signingKey);

    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      'This queue is the dead-letter destination of the report; it needs none of its own.',
    );

    this.function = handlerFunction(this, {
      handlerFile: 'report.ts',
      description: 'soc2-ml-evidence: seals digests, verifies the chain and writes the scheduled report',
      role: this.role,
      logGroup,
      memorySize: 2048,
      timeout: Duration.minutes(15),
      serviceName: 'soc2-ml-report',
      environment: {
        EVIDENCE_BUCKET: evidenceBucket.bucketName,
        EVIDENCE_KMS_KEY_ARN: evidenceKey.keyArn,
        CONFIG_PARAMETER: props.configParameter.parameterName,
        DIGEST_SIGNING_KEY_ARN: this.signingKey.keyArn,
        ...(props.slackWebhookSecretArn ? { SLACK_WEBHOOK_SECRET_ARN: props.slackWebhookSecretArn } : {}),
      },
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    new Rule(this, 'Schedule', {
      description: 'soc2-ml-evidence: scheduled report and digest sealing',
      schedule: Schedule.expression(props.schedule),
      targets: [new LambdaFunction(this.function, { retryAttempts: MAX_ASYNC_RETRIES, deadLetterQueue: this.deadLetterQueue })],
    });

    // The period report reads a month of evidence, so it runs apart from the daily report.
    new Rule(this, 'PeriodSchedule', {
      description: 'soc2-ml-evidence: period report of the previous month, written write-once under reports/period/',
      schedule: Schedule.expression(PERIOD_REPORT_SCHEDULE),
      targets: [
        new LambdaFunction(this.function, {
          event: RuleTargetInput.fromObject(PREVIOUS_MONTH_PERIOD_EVENT),
          retryAttempts: MAX_ASYNC_RETRIES,
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });

    this.errorAlarm = errorAlarm(
      this,
      this.function,
      'soc2-ml-evidence report failed; the day has no report and its digest may be unsealed',
    );
  }

  /**
   * Lets the report measure the change-event path for evidence.change_log: messages in these
   * dead-letter queues mean changes that were not recorded.
   */
  measureChangePath(deadLetterQueues: readonly IQueue[]): void {
    for (const queue of deadLetterQueues) queue.grant(this.role, 'sqs:GetQueueAttributes');
    this.function.addEnvironment('CHANGE_PATH_DEAD_LETTER_QUEUES', deadLetterQueues.map((q) => q.queueUrl).join(','));
  }
}
