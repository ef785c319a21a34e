import { z } from 'zod';

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

const awsRegion = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'must be an AWS region such as "us-east-1"');
const positiveInt = z.number().int().positive();

export const exceptionSchema = z.strictObject({
  /** Check id, such as "s3.ml_bucket_replication". */
  check: z.string().min(1),
  /** Resource ARN or a glob over ARNs ("*" matches any run of characters). */
  resource: z.string().min(1),
  justification: z.string().trim().min(10, 'a justification of at least 10 characters is required'),
  approver: z.string().min(1),
  /** ISO date (YYYY-MM-DD) or date-time after which the exception stops applying. */
  expires: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date such as 2027-03-31'),
});
export type ExceptionEntry = z.infer<typeof exceptionSchema>;

export const configSchema = z.strictObject({
  /** Regions the regional collectors (kms, cloudtrail, sagemaker) describe. */
  regions: z.array(awsRegion).min(1).default(['us-east-1']),
  evidence: z
    .strictObject({
      /** Object Lock retention of every evidence object: a 12-month Type II period plus margin. */
      retentionDays: positiveInt.max(36_500).default(400),
      /** COMPLIANCE cannot be shortened by anyone; GOVERNANCE is for trials. */
      lockMode: z.enum(['COMPLIANCE', 'GOVERNANCE']).default('COMPLIANCE'),
      /** Evidence moves to S3 Glacier Instant Retrieval after this many days. */
      archiveAfterDays: positiveInt.default(90),
      /** Digest period for the signed chain. */
      digestPeriod: z.enum(['daily', 'hourly']).default('daily'),
    })
    .prefault({}),
  schedules: z
    .strictObject({
      s3: scheduleExpression.default('rate(6 hours)'),
      iam: scheduleExpression.default('rate(6 hours)'),
      kms: scheduleExpression.default('rate(6 hours)'),
      cloudtrail: scheduleExpression.default('rate(6 hours)'),
      sagemaker: scheduleExpression.default('rate(1 hour)'),
      report: scheduleExpression.default('cron(0 6 * * ? *)'),
    })
    .prefault({}),
  collection: z
    .strictObject({
      concurrency: positiveInt.max(64).default(16),
      maxAttempts: positiveInt.max(20).default(8),
      lookbackDays: positiveInt.max(3650).default(90),
      credentialReportMaxAgeHours: positiveInt.default(4),
    })
    .prefault({}),
  /** Buckets that hold ML data even when no SageMaker resource references them. */
  mlBuckets: z.array(z.string().min(3).max(63)).default([]),
  /** A bucket carrying this tag (and value, when given) is ML-scoped. */
  mlBucketTag: z
    .strictObject({ key: z.string().min(1), value: z.string().optional() })
    .prefault({ key: 'soc2-ml:scope', value: 'ml' }),
  classificationTag: z
    .strictObject({
      key: z.string().min(1).default('DataClassification'),
      allowedValues: z.array(z.string().min(1)).min(1).default(['public', 'internal', 'confidential', 'restricted']),
    })
    .prefault({}),
  thresholds: z
    .strictObject({
      accessKeyMaxAgeDays: positiveInt.default(90),
      unusedCredentialDays: positiveInt.default(90),
      kmsRotationMaxDays: positiveInt.default(365),
      maxAdministrators: z.number().int().nonnegative().default(3),
      passwordMinLength: positiveInt.default(14),
      passwordReusePrevention: positiveInt.default(24),
      passwordRequireSymbols: z.boolean().default(true),
      passwordRequireNumbers: z.boolean().default(true),
      passwordRequireUppercase: z.boolean().default(true),
      passwordRequireLowercase: z.boolean().default(true),
      /** Hours after which a collector's snapshot is STALE. */
      evidenceFreshnessHours: positiveInt.default(26),
    })
    .prefault({}),
  /** Supported notebook platforms; "*" is a wildcard. */
  notebookPlatforms: z.array(z.string().min(1)).min(1).default(['notebook-al2023-*']),
  slack: z
    .strictObject({
      /** Secrets Manager secret holding the incoming-webhook URL (deployed app). */
      webhookSecretArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:secretsmanager:/, 'must be a Secrets Manager secret ARN')
        .optional(),
      /** CLI only: the webhook URL itself. Never put this in cdk.json. */
      webhookUrl: z.url().optional(),
    })
    .optional(),
  /** Accepted risks. */
  exceptions: z.array(exceptionSchema).default([]),
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
