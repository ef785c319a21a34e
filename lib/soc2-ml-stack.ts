import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { ConfigError, type Soc2MlConfig } from '../lambdas/config/schema';
import { changeEventGroups } from '../lambdas/events/event-map';
import { COLLECTOR_NAMES, type CollectorName } from '../lambdas/evidence/record';
import { AccountTrail } from './account-trail';
import { ChangeEventFunction } from './change-event-function';
import { ChangeEventRules } from './change-event-rules';
import { CollectorFunction } from './collector-function';
import { EvaluatorFunction } from './evaluator-function';
import { EvidenceAthena } from './evidence-athena';
import { EvidenceBucket } from './evidence-bucket';
import { EvidenceInbox } from './evidence-inbox';
import { Organization } from './organization';
import { ReportFunction } from './report-function';

export interface Soc2MlStackProps extends StackProps {
  /** Validated configuration (parseConfig); also handed to the Lambdas through SSM. */
  config: Soc2MlConfig;
}

/** Wait before re-collecting a changed resource; the handler's own default, stated where it deploys. */
const CHANGE_DELAY_SECONDS = 5;

/** SSM standard parameters hold 4 KB; advanced ones 8 KB. */
const STANDARD_PARAMETER_LIMIT = 4096;
const ADVANCED_PARAMETER_LIMIT = 8192;

/**
 * The deployed app: the evidence bucket, one scheduled collector per service, the change-event
 * path (rules, queue, re-collection), the evaluator, the scheduled report with its signing key,
 * optionally a trail, and their configuration.
 */
export class Soc2MlStack extends Stack {
  readonly evidence: EvidenceBucket;
  readonly collectors: Record<CollectorName, CollectorFunction>;
  readonly configParameter: StringParameter;
  readonly report: ReportFunction;
  readonly changeEvents: ChangeEventFunction;
  readonly changeEventRules: ChangeEventRules;
  readonly evaluator: EvaluatorFunction;
  readonly inbox: EvidenceInbox;
  readonly trail?: AccountTrail;
  readonly organization?: Organization;
  readonly athena?: EvidenceAthena;

  constructor(scope: Construct, id: string, props: Soc2MlStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.evidence = new EvidenceBucket(this, 'Evidence', { evidence: config.evidence });

    const configJson = JSON.stringify(config);
    if (configJson.length > ADVANCED_PARAMETER_LIMIT) {
      throw new ConfigError(
        `configuration is ${configJson.length} bytes as JSON; at most ${ADVANCED_PARAMETER_LIMIT} fit in the SSM parameter (move exceptions to a file)`,
      );
    }
    this.configParameter = new StringParameter(this, 'Config', {
      description: 'soc2-ml-evidence: validated configuration (JSON) read by the Lambdas',
      stringValue: configJson,
      tier: configJson.length > STANDARD_PARAMETER_LIMIT ? ParameterTier.ADVANCED : ParameterTier.STANDARD,
    });

    this.collectors = Object.fromEntries(
      COLLECTOR_NAMES.map((name) => [
        name,
        new CollectorFunction(this, `Collector-${name}`, {
          collector: name,
          schedule: config.schedules[name],
          regions: config.regions,
          evidenceBucket: this.evidence.bucket,
          evidenceKey: this.evidence.key,
          configParameter: this.configParameter,
        }),
      ]),
    ) as Record<CollectorName, CollectorFunction>;

    const shared = {
      evidenceBucket: this.evidence.bucket,
      evidenceKey: this.evidence.key,
      configParameter: this.configParameter,
    };
    const slack = config.slack?.webhookSecretArn ? { slackWebhookSecretArn: config.slack.webhookSecretArn } : {};
    this.report = new ReportFunction(this, 'Report', { ...shared, ...slack, schedule: config.schedules.report });
    this.changeEvents = new ChangeEventFunction(this, 'ChangeEvents', {
      ...shared,
      regions: config.regions,
      delaySeconds: CHANGE_DELAY_SECONDS,
    });
    this.changeEventRules = new ChangeEventRules(this, 'ChangeEventRules', {
      groups: changeEventGroups(),
      target: new SqsQueue(this.changeEvents.queue),
      purpose: 'the change-event queue',
    });
    this.evaluator = new EvaluatorFunction(this, 'Evaluator', {
      ...shared,
      ...slack,
    });
    this.report.measureChangePath([this.changeEvents.deadLetterQueue, this.evaluator.deadLetterQueue]);
    this.inbox = new EvidenceInbox(this, 'Inbox', shared);
    this.acknowledgeBucketNotificationsHandler();
    if (config.organization.enabled)
      this.organization = new Organization(this, 'Organization', {
        ...shared,
        config,
        changeEventsRole: this.changeEvents.role,
        accessLogBucket: this.evidence.accessLogBucket,
      });
    if (config.athena.enabled)
      this.athena = new EvidenceAthena(this, 'Athena', {
        evidenceBucket: this.evidence.bucket,
        evidenceKey: this.evidence.key,
        accessLogBucket: this.evidence.accessLogBucket,
        config,
      });
    if (config.createTrail) this.trail = new AccountTrail(this, 'Trail', { accessLogBucket: this.evidence.accessLogBucket });

    new CfnOutput(this, 'EvidenceBucketName', {
      description: 'Evidence bucket (S3 Object Lock)',
      value: this.evidence.bucket.bucketName,
    });
    new CfnOutput(this, 'EvidenceKeyArn', { description: 'KMS key encrypting evidence', value: this.evidence.key.keyArn });
    new CfnOutput(this, 'ReportFunctionName', {
      description: 'Report function: invoke with {"period":{"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}} for a period report',
      value: this.report.function.functionName,
    });
    new CfnOutput(this, 'DigestSigningKeyArn', {
      description: 'KMS key signing the digest chain: `aws kms get-public-key` gives what verifies it offline',
      value: this.report.signingKey.keyArn,
    });
  }

  /** The S3 notification custom resource is CDK's own singleton at the stack root. */
  private acknowledgeBucketNotificationsHandler(): void {
    const handler = this.node.findAll().find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
    if (!handler) return;
    Validations.of(handler).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's bucket-notification custom resource: a deploy-time function that only writes its own logs.",
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'CDK\'s bucket-notification custom resource calls s3:PutBucketNotification, which CDK grants on "*".',
      },
    );
  }
}
