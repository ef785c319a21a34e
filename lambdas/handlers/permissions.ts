/**
 * What the change-event and evaluate Lambdas need beyond the collectors' read actions
 * (collectors/permissions.ts COLLECTOR_READ_GRANTS, all collectors for the change Lambda).
 * Resource kinds name what the stack fills in; the stack grants exactly these.
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
    | 'evidence-queue';
  why: string;
}

const READ_CONFIG: HandlerGrant = { actions: ['ssm:GetParameter'], resource: 'config-parameter', why: 'configuration JSON' };
const ENCRYPT_EVIDENCE: HandlerGrant = {
  actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
  resource: 'evidence-kms-key',
  why: 'SSE-KMS evidence objects are written and read',
};

export const CHANGE_HANDLER_ACTIONS: readonly HandlerGrant[] = [
  READ_CONFIG,
  ENCRYPT_EVIDENCE,
  {
    actions: ['s3:PutObject', 's3:PutObjectRetention', 's3:GetObject'],
    resource: 'evidence-objects',
    why: 're-collection records and change-log objects, write-once (the store checks existence with GetObject/HeadObject)',
  },
  { actions: ['s3:ListBucket'], resource: 'evidence-bucket', why: 'a missing key answers 404, not 403, only with ListBucket' },
  {
    actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
    resource: 'change-queue',
    why: 'the event source mapping (CDK grants it with the SqsEventSource)',
  },
];

export const EVALUATE_HANDLER_ACTIONS: readonly HandlerGrant[] = [
  READ_CONFIG,
  ENCRYPT_EVIDENCE,
  {
    actions: ['s3:GetObject', 's3:PutObject', 's3:PutObjectRetention'],
    resource: 'evidence-objects',
    why: 'reads every record and the digests sealing them; writes state/v1/finding-status.json (conditional overwrite: If-Match / If-None-Match) and the alert log (write-once)',
  },
  { actions: ['s3:ListBucket'], resource: 'evidence-bucket', why: 'lists evidence/v1/collector=... to evaluate' },
  {
    actions: ['secretsmanager:GetSecretValue'],
    resource: 'slack-webhook-secret',
    why: 'the webhook URL; only when SLACK_WEBHOOK_SECRET_ARN is set',
  },
  {
    actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
    resource: 'evidence-queue',
    why: 'the event source mapping (CDK grants it with the SqsEventSource)',
  },
];
