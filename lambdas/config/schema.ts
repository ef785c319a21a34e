import { z } from 'zod';
import { DEFAULT_CONNECTION_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../aws/call-limits';

/**
 * The one configuration schema: the CDK context key `soc2-ml` at synth time and the CLI's
 * `--config FILE`. Every object is strict, so a misspelt key is refused by name.
 */
const scheduleExpression = z
  .string()
  .regex(
    /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+ \S+ \S+ \S+ \S+ \S+\))$/,
    'must be an EventBridge schedule expression such as "rate(6 hours)" or "cron(0 6 * * ? *)"',
  );

/** What an AWS region name looks like; region names become parts of evidence keys, so nothing else may pass. */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
export const AWS_REGION_HINT = 'must be an AWS region such as "us-east-1"';
export const awsRegionSchema = z.string().regex(AWS_REGION_PATTERN, AWS_REGION_HINT);
const positiveInt = z.number().int().positive();
const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit account id');

/** Longest an exception may run before it must be renewed. */
export const MAX_EXCEPTION_DAYS = 365;

export const exceptionSchema = z.strictObject({
  /** Check id, such as "s3.ml_bucket_replication". */
  check: z.string().min(1),
  /** Resource ARN or a glob over ARNs ("*" matches any run of characters). */
  resource: z.string().min(1),
  justification: z.string().trim().min(10, 'a justification of at least 10 characters is required'),
  approver: z.string().min(1),
  /**
   * ISO date (YYYY-MM-DD) or date-time after which the exception stops applying; at most
   * MAX_EXCEPTION_DAYS ahead, so every accepted risk is reviewed at least yearly. (Checked against
   * the clock: a config that passed once keeps passing, since the distance only shrinks.)
   */
  expires: z
    .string()
    .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date such as 2027-03-31')
    .refine(
      (v) => Date.parse(v) <= Date.now() + MAX_EXCEPTION_DAYS * 86_400_000,
      `must be at most ${MAX_EXCEPTION_DAYS} days ahead: accepted risks are reviewed at least yearly`,
    ),
});
export type ExceptionEntry = z.infer<typeof exceptionSchema>;

export const configSchema = z.strictObject({
  regions: z
    .array(awsRegionSchema)
    .min(1)
    .default(['us-east-1'])
    .describe('Regions the regional collectors (kms, cloudtrail, sagemaker, bedrock, ecr) describe.'),
  evidence: z
    .strictObject({
      retentionDays: positiveInt
        .max(36_500)
        .default(400)
        .describe(
          'Object Lock retention of every evidence object, in days: a 12-month Type II period plus margin. A change applies on the next deploy to objects written after it (only CloudFormation may change the lock configuration); objects already written keep theirs.',
        ),
      lockMode: z
        .enum(['COMPLIANCE', 'GOVERNANCE'])
        .default('COMPLIANCE')
        .describe('COMPLIANCE: nobody can shorten retention or delete evidence. GOVERNANCE: for trials only.'),
      archiveAfterDays: positiveInt.default(90).describe('Evidence moves to S3 Glacier Instant Retrieval after this many days.'),
      digestPeriod: z.enum(['daily', 'hourly']).default('daily').describe('Period sealed by each signed digest.'),
      scheduledRehashDays: positiveInt
        .default(7)
        .describe(
          'The scheduled report re-hashes objects of this many recent days; older ones are checked for presence (soc2-ml verify re-hashes all).',
        ),
    })
    .prefault({}),
  schedules: z
    .strictObject({
      s3: scheduleExpression.default('rate(6 hours)').describe('Full S3 snapshot schedule (EventBridge expression).'),
      iam: scheduleExpression.default('rate(6 hours)').describe('Full IAM snapshot schedule.'),
      kms: scheduleExpression.default('rate(6 hours)').describe('Full KMS snapshot schedule, per region.'),
      cloudtrail: scheduleExpression.default('rate(6 hours)').describe('Full CloudTrail snapshot schedule, per region.'),
      sagemaker: scheduleExpression.default('rate(1 hour)').describe('Full SageMaker snapshot schedule, per region.'),
      bedrock: scheduleExpression.default('rate(6 hours)').describe('Full Bedrock snapshot schedule, per region.'),
      ecr: scheduleExpression.default('rate(6 hours)').describe('Full ECR snapshot schedule, per region.'),
      guardduty: scheduleExpression.default('rate(6 hours)').describe('GuardDuty detectors snapshot schedule, per region.'),
      securityhub: scheduleExpression.default('rate(6 hours)').describe('Security Hub snapshot schedule, per region.'),
      inspector: scheduleExpression.default('rate(6 hours)').describe('Amazon Inspector account status schedule, per region.'),
      backup: scheduleExpression.default('rate(6 hours)').describe('AWS Backup plans and restore testing schedule, per region.'),
      macie: scheduleExpression.default('rate(6 hours)').describe('Amazon Macie configuration schedule, per region.'),
      report: scheduleExpression.default('cron(0 6 * * ? *)').describe('Report and digest schedule (UTC).'),
    })
    .prefault({}),
  collection: z
    .strictObject({
      concurrency: positiveInt.max(64).default(16).describe('Describe calls in flight at once per collector run.'),
      maxAttempts: positiveInt
        .max(20)
        .default(8)
        .describe('Attempts per AWS call under the SDK adaptive retry strategy (throttling backs off).'),
      connectionTimeoutMs: positiveInt
        .max(300_000)
        .default(DEFAULT_CONNECTION_TIMEOUT_MS)
        .describe('Milliseconds allowed to connect to an AWS endpoint, per attempt.'),
      requestTimeoutMs: positiveInt
        .max(900_000)
        .default(DEFAULT_REQUEST_TIMEOUT_MS)
        .describe(
          'Milliseconds allowed for one attempt of an AWS call, and the longest silence while it answers; a hung call is then retried or recorded as an error.',
        ),
      lookbackDays: positiveInt
        .max(3650)
        .default(90)
        .describe('SageMaker training, processing and monitoring history and Bedrock customization jobs collected, in days.'),
      credentialReportMaxAgeHours: positiveInt
        .default(4)
        .describe('An IAM credential report younger than this is reused instead of generating a new one.'),
    })
    .prefault({}),
  mlBuckets: z
    .array(z.string().min(3).max(63))
    .default([])
    .describe('Buckets that hold ML data even when no SageMaker resource references them.'),
  externalTrailBuckets: z
    .array(z.string().min(3).max(63))
    .default([])
    .describe(
      'CloudTrail log buckets that live in another account (a log-archive account) and are judged there: ct.log_bucket_protected reports them NOT_APPLICABLE instead of ERROR.',
    ),
  mlBucketTag: z
    .strictObject({
      key: z.string().min(1).describe('Tag key that marks a bucket as ML data.'),
      value: z.string().optional().describe('Tag value required as well (any value when omitted).'),
    })
    .prefault({ key: 'soc2-ml:scope', value: 'ml' }),
  classificationTag: z
    .strictObject({
      key: z
        .string()
        .min(1)
        .default('DataClassification')
        .describe('Tag key that carries the data classification of an ML bucket.'),
      allowedValues: z
        .array(z.string().min(1))
        .min(1)
        .default(['public', 'internal', 'confidential', 'restricted'])
        .describe('Values of the classification tag that count as classified.'),
    })
    .prefault({}),
  thresholds: z
    .strictObject({
      accessKeyMaxAgeDays: positiveInt.default(90).describe('An active access key must have been rotated within this many days.'),
      unusedCredentialDays: positiveInt
        .default(90)
        .describe('A password or access key unused for longer fails iam.unused_credentials.'),
      kmsRotationMaxDays: positiveInt.default(365).describe('Longest acceptable KMS key rotation period.'),
      maxAdministrators: z
        .number()
        .int()
        .nonnegative()
        .default(3)
        .describe('iam.admin_inventory passes with at most this many principals holding administrator rights.'),
      passwordMinLength: positiveInt.default(14).describe('Minimum password length the account password policy must require.'),
      passwordReusePrevention: positiveInt.default(24).describe('Minimum remembered passwords the policy must prevent reusing.'),
      passwordRequireSymbols: z.boolean().default(true).describe('The password policy must require symbols.'),
      passwordRequireNumbers: z.boolean().default(true).describe('The password policy must require numbers.'),
      passwordRequireUppercase: z.boolean().default(true).describe('The password policy must require uppercase letters.'),
      passwordRequireLowercase: z.boolean().default(true).describe('The password policy must require lowercase letters.'),
      evidenceFreshnessHours: positiveInt.default(26).describe("Hours after which a collector's latest full snapshot is STALE."),
    })
    .prefault({}),
  notebookPlatforms: z
    .array(z.string().min(1))
    .min(1)
    .default(['notebook-al2023-*'])
    .describe('Supported notebook instance platforms ("*" is a wildcard).'),
  slack: z
    .strictObject({
      webhookSecretArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:secretsmanager:/, 'must be a Secrets Manager secret ARN')
        .optional()
        .describe('Secrets Manager secret whose value is the Slack incoming-webhook URL (deployed app).'),
      webhookUrl: z.url().optional().describe('CLI only: the Slack webhook URL itself. Refused in cdk.json.'),
    })
    .optional(),
  reminders: z
    .strictObject({
      days: positiveInt
        .max(365)
        .default(14)
        .describe(
          'Slack reminder (report runs with a webhook) for manual evidence expiring within this many days; sent once per expiry.',
        ),
    })
    .prefault({}),
  changeEvents: z
    .strictObject({
      /**
       * Accounts other than the deployment's whose CloudTrail events (arriving through an
       * organization bus) are stored in the change log without re-collection. When
       * organization.enabled is true, the events of the member accounts it selects are instead
       * re-collected through the member role; this list covers the other accounts. Events of
       * any account neither selected nor listed are ignored.
       */
      recordOtherAccounts: z
        .array(z.string().regex(/^\d{12}$/, 'must be a 12-digit account id'))
        .default([])
        .describe(
          'Other accounts whose CloudTrail events are kept in the change log only. When organization is enabled, the member accounts it collects are re-collected through the member role instead; list here the accounts it does not collect.',
        ),
      bucketRegions: z
        .array(awsRegionSchema)
        .default([])
        .describe(
          "Regions besides `regions` that hold S3 buckets: their bucket change events are forwarded too (a bucket's events reach EventBridge only in its own region). evidence.change_log names every collected bucket in a region neither list covers, as its changes are not watched.",
        ),
    })
    .prefault({}),
  organization: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe(
          'Collect from the member accounts of an AWS Organization: member role StackSet, Step Functions fan-out, cross-account change events.',
        ),
      organizationId: z
        .string()
        .regex(/^o-[a-z0-9]{10,32}$/, 'must be an organization id such as "o-a1b2c3d4e5"')
        .optional()
        .describe('Organization id (o-...): the only principals the central event bus admits. Required when enabled.'),
      accounts: z
        .array(accountId)
        .optional()
        .describe('Collect exactly these member accounts; when omitted, every ACTIVE account Organizations lists.'),
      organizationalUnits: z
        .array(z.string().regex(/^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/, 'must be an OU or root id'))
        .default([])
        .describe(
          'OU (or root) ids the member role StackSet deploys to; without explicit accounts, the fan-out collects the ACTIVE accounts directly in them.',
        ),
      excludeAccounts: z
        .array(accountId)
        .default([])
        .describe('Accounts never collected (a sandbox, a suspended account), even when listed.'),
      memberRoleName: z
        .string()
        .regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')
        .default('soc2-ml-evidence-collector')
        .describe('Name of the read-only role in each member account.'),
      externalId: z
        .string()
        .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2 to 1224 characters of [A-Za-z0-9+=,.@:/_-]')
        .optional()
        .describe('External ID the member role requires of the central roles (not a secret). Required when enabled.'),
      maxConcurrency: z
        .strictObject({
          s3: positiveInt.max(1000).default(20).describe('Member-account s3 collections in flight at once.'),
          iam: positiveInt
            .max(1000)
            .default(5)
            .describe('Member-account iam collections in flight at once (IAM throttles hard).'),
          kms: positiveInt.max(1000).default(20).describe('Member-account kms collections in flight at once.'),
          cloudtrail: positiveInt.max(1000).default(20).describe('Member-account cloudtrail collections in flight at once.'),
          sagemaker: positiveInt
            .max(1000)
            .default(8)
            .describe('Member-account sagemaker collections in flight at once (SageMaker throttles hard).'),
          bedrock: positiveInt.max(1000).default(10).describe('Member-account bedrock collections in flight at once.'),
          ecr: positiveInt.max(1000).default(20).describe('Member-account ecr collections in flight at once.'),
          guardduty: positiveInt.max(1000).default(20).describe('Member-account guardduty collections in flight at once.'),
          securityhub: positiveInt.max(1000).default(20).describe('Member-account securityhub collections in flight at once.'),
          inspector: positiveInt.max(1000).default(20).describe('Member-account inspector collections in flight at once.'),
          backup: positiveInt.max(1000).default(20).describe('Member-account backup collections in flight at once.'),
          macie: positiveInt.max(1000).default(20).describe('Member-account macie collections in flight at once.'),
        })
        .prefault({}),
      schedule: scheduleExpression.default('rate(6 hours)').describe('Organization-wide collection schedule.'),
      stackSetCallAs: z
        .enum(['DELEGATED_ADMIN', 'SELF'])
        .default('DELEGATED_ADMIN')
        .describe('DELEGATED_ADMIN: this account is a StackSets delegated administrator; SELF: it is the management account.'),
    })
    .prefault({})
    .superRefine((organization, ctx) => {
      if (!organization.enabled) return;
      for (const key of ['organizationId', 'externalId'] as const) {
        if (organization[key] === undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: 'is required when organization.enabled is true' });
      }
      if (organization.accounts === undefined && organization.organizationalUnits.length === 0)
        ctx.addIssue({ code: 'custom', path: ['organizationalUnits'], message: 'give accounts or organizationalUnits' });
    }),
  createTrail: z
    .boolean()
    .default(false)
    .describe(
      'Deploy a multi-region CloudTrail trail (log file validation, KMS, its own bucket); change events need one. For accounts without a trail.',
    ),
  athena: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe(
          'Register the evidence and the change log as Glue tables (partition projection over their keys) with an Athena workgroup, named population queries and an auditor query policy.',
        ),
      bytesScannedCutoffGb: positiveInt
        .max(1_048_576)
        .default(100)
        .describe(
          'Athena cancels any query of the workgroup that scans more than this many GiB (the cost ceiling of one query).',
        ),
      resultsRetentionDays: positiveInt
        .max(3650)
        .default(30)
        .describe(
          'Athena query results expire from the results bucket after this many days (they can be re-run from the evidence).',
        ),
      accounts: z
        .array(accountId)
        .optional()
        .describe(
          'Accounts the tables project as partitions. Default: this account, organization.accounts and changeEvents.recordOtherAccounts. Without it, an organization collected by OU projects the account partition as injected: every query must name its accounts.',
        ),
    })
    .prefault({}),
  exceptions: z
    .array(exceptionSchema)
    .default([])
    .describe('Accepted risks: {check, resource (ARN or glob), justification, approver, expires}.'),
});

export type Soc2MlConfig = z.infer<typeof configSchema>;
export type Soc2MlConfigInput = z.input<typeof configSchema>;

/** Raised for a configuration that does not match the schema; the message names the key. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates raw configuration, turning the first problem into one line that names the key. */
export function parseConfig(raw: unknown, source = 'config'): Soc2MlConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    throw new ConfigError(`${source}: unknown key ${keys.map((k) => `"${k}"`).join(', ')}`);
  }
  throw new ConfigError(`${source}: key "${path || '(root)'}": ${issue.message}`);
}
