import {
  ALERT_LOG_PREFIX,
  DIGESTS_FOLDER,
  DIGESTS_ROOT,
  EVIDENCE_FOLDER,
  EVIDENCE_ROOT,
  MANUAL_ROOT,
  REMINDER_STATE_KEY,
  REPORTS_ROOT,
  STATE_ROOT,
} from '../evidence/layout';

/**
 * What the change-event, evaluate and report Lambdas need beyond the collectors' read actions
 * (collectors/permissions.ts COLLECTOR_READ_GRANTS, all collectors for the change Lambda). The
 * stack grants exactly these (lib/handler-grants.ts): each grant is one statement of the inline
 * policy it names, or, for the configuration parameter and the queues, the CDK grant that
 * covers it (StringParameter.grantRead, SqsEventSource).
 */
export interface HandlerGrant {
  actions: readonly string[];
  resource:
    | 'evidence-bucket'
    | 'evidence-objects'
    | 'evidence-kms-key'
    | 'config-parameter'
    | 'slack-webhook-secret'
    | 'change-queue'
    | 'evidence-queue'
    | 'log-group';
  /** For evidence-objects: key prefixes (ending in `/`) or exact keys of layout.ts. */
  objects?: readonly string[];
  /** The inline policy of the role holding the statement; absent for grants CDK makes. */
  policy?: 'read' | 'write' | 'evidence';
  why: string;
}

const READ_CONFIG: HandlerGrant = { actions: ['ssm:GetParameter'], resource: 'config-parameter', why: 'configuration JSON' };
const WRITE_LOGS = (policy: HandlerGrant['policy']): HandlerGrant => ({
  actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  resource: 'log-group',
  policy,
  why: 'its own retained log group',
});
const READ_SLACK_SECRET: HandlerGrant = {
  actions: ['secretsmanager:GetSecretValue'],
  resource: 'slack-webhook-secret',
  policy: 'read',
  why: 'the webhook URL; only when SLACK_WEBHOOK_SECRET_ARN is set',
};
const CONSUME_QUEUE = (resource: 'change-queue' | 'evidence-queue'): HandlerGrant => ({
  actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
  resource,
  why: 'the event source mapping (CDK grants it with the SqsEventSource)',
});

export const CHANGE_HANDLER_ACTIONS: readonly HandlerGrant[] = [
  READ_CONFIG,
  {
    actions: ['s3:PutObject', 's3:PutObjectRetention', 's3:GetObject'],
    resource: 'evidence-objects',
    objects: [EVIDENCE_ROOT],
    policy: 'evidence',
    why: 're-collection records and change-log objects, write-once (a put that meets an existing key reads it back: duplicate delivery)',
  },
  {
    actions: ['s3:ListBucket'],
    resource: 'evidence-bucket',
    policy: 'evidence',
    why: 'a missing key answers 404, not 403, only with ListBucket',
  },
  {
    actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
    resource: 'evidence-kms-key',
    policy: 'evidence',
    why: 'SSE-KMS evidence objects are written and read',
  },
  WRITE_LOGS('evidence'),
  CONSUME_QUEUE('change-queue'),
];

export const EVALUATE_HANDLER_ACTIONS: readonly HandlerGrant[] = [
  READ_CONFIG,
  { actions: ['s3:ListBucket'], resource: 'evidence-bucket', policy: 'read', why: 'lists evidence/v1/collector=... to evaluate' },
  {
    actions: ['s3:GetObject'],
    resource: 'evidence-objects',
    objects: [EVIDENCE_FOLDER, STATE_ROOT, DIGESTS_ROOT],
    policy: 'read',
    why: 'reads every record it is notified of, the finding state and the digests sealing the evidence (with their public keys)',
  },
  { actions: ['kms:Decrypt'], resource: 'evidence-kms-key', policy: 'read', why: 'SSE-KMS evidence objects are read' },
  READ_SLACK_SECRET,
  {
    actions: ['s3:PutObject', 's3:PutObjectRetention'],
    resource: 'evidence-objects',
    objects: [STATE_ROOT, ALERT_LOG_PREFIX],
    policy: 'write',
    why: 'replaces state/v1/finding-status.json on each evaluation (conditional overwrite: If-Match / If-None-Match); alert log keys are generated per alert (write-once)',
  },
  { actions: ['kms:GenerateDataKey'], resource: 'evidence-kms-key', policy: 'write', why: 'SSE-KMS objects are written' },
  WRITE_LOGS('write'),
  CONSUME_QUEUE('evidence-queue'),
];

/** What the report reads: evidence, attested manual evidence, the digest chain and earlier reports. */
export const REPORT_READ_PREFIXES = [EVIDENCE_FOLDER, MANUAL_ROOT, DIGESTS_FOLDER, REPORTS_ROOT] as const;
/** What it writes: reports (dated write-once, latest replaced, period reports write-once) and the digests it seals. */
export const REPORT_WRITE_PREFIXES = [REPORTS_ROOT, DIGESTS_FOLDER] as const;

export const REPORT_HANDLER_ACTIONS: readonly HandlerGrant[] = [
  READ_CONFIG,
  {
    actions: ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketObjectLockConfiguration'],
    resource: 'evidence-bucket',
    policy: 'read',
    why: 'lists the store and reads its Object Lock configuration for verification',
  },
  {
    actions: ['s3:GetObject', 's3:GetObjectVersion'],
    resource: 'evidence-objects',
    objects: REPORT_READ_PREFIXES,
    policy: 'read',
    why: 'report, digest and evidence keys are dated per run under a fixed prefix',
  },
  {
    actions: ['s3:GetObject'],
    resource: 'evidence-objects',
    objects: [REMINDER_STATE_KEY],
    policy: 'read',
    why: 'which expiry reminders were sent: one object, read and replaced by the report alone',
  },
  { actions: ['kms:Decrypt'], resource: 'evidence-kms-key', policy: 'read', why: 'SSE-KMS evidence objects are read' },
  READ_SLACK_SECRET,
  {
    actions: ['s3:PutObject', 's3:PutObjectRetention'],
    resource: 'evidence-objects',
    objects: REPORT_WRITE_PREFIXES,
    policy: 'write',
    why: 'reports and digests, dated per run under a fixed prefix; Object Lock keeps what is written',
  },
  {
    actions: ['s3:PutObject', 's3:PutObjectRetention'],
    resource: 'evidence-objects',
    objects: [REMINDER_STATE_KEY],
    policy: 'write',
    why: 'the reminder state, replaced on each run',
  },
  { actions: ['kms:GenerateDataKey'], resource: 'evidence-kms-key', policy: 'write', why: 'SSE-KMS objects are written' },
  WRITE_LOGS('write'),
];
