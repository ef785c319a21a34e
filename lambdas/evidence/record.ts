import { z } from 'zod';

/** Version tag written into every evidence record; readers refuse anything else. */
import { EVIDENCE_SCHEMA } from './layout';

export { EVIDENCE_SCHEMA };

export const COLLECTOR_NAMES = [
  's3',
  'iam',
  'kms',
  'sagemaker',
  'cloudtrail',
  'bedrock',
  'ecr',
  'guardduty',
  'securityhub',
  'inspector',
  'backup',
  'macie',
] as const;
export const collectorNameSchema = z.enum(COLLECTOR_NAMES);
export type CollectorName = z.infer<typeof collectorNameSchema>;

/** Collectors whose API is account-wide; their records carry this pseudo-region. */
export const GLOBAL_REGION = 'global';

/** The CloudTrail event that caused a re-collection: what alerts name as the cause. */
export const changeEventSchema = z.object({
  eventId: z.string(),
  eventName: z.string(),
  eventSource: z.string(),
  eventTime: z.string(),
  principal: z.string(),
  sourceIp: z.string().optional(),
});

export const triggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('schedule') }),
  z.object({ type: z.literal('cli'), user: z.string().optional() }),
  changeEventSchema.extend({ type: z.literal('event') }),
]);
export type Trigger = z.infer<typeof triggerSchema>;

export const scopeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('all') }),
  /** One resource, identified by ARN (or bucket/key name where the service has no ARN in the event). */
  z.object({
    type: z.literal('resource'),
    resource: z.string().min(1),
    /** The name as the triggering event wrote it, where the ARN lower-cases it (SageMaker): Describe* wants this one. */
    name: z.string().min(1).optional(),
  }),
]);
export type Scope = z.infer<typeof scopeSchema>;

export const evidenceResourceSchema = z.object({
  arn: z.string().min(1),
  type: z.string().min(1),
  region: z.string().min(1),
  /** Normalised configuration: the shape is owned by the collector's resource schema, never a raw SDK response. */
  configuration: z.record(z.string(), z.unknown()),
  tags: z.record(z.string(), z.string()),
});
export type EvidenceResource = z.infer<typeof evidenceResourceSchema>;

export const collectionErrorSchema = z.object({
  api: z.string(),
  resource: z.string().optional(),
  code: z.string(),
  message: z.string(),
});
export type CollectionError = z.infer<typeof collectionErrorSchema>;

export const collectionNoteSchema = z.object({
  resource: z.string().optional(),
  message: z.string(),
});
export type CollectionNote = z.infer<typeof collectionNoteSchema>;

export const evidenceRecordSchema = z.object({
  schema: z.literal(EVIDENCE_SCHEMA),
  id: z.string().min(1),
  collector: z.object({ name: collectorNameSchema, version: z.string() }),
  account: z.string().regex(/^\d{12}$/, 'account must be a 12-digit AWS account id'),
  region: z.string().min(1),
  collectedAt: z.iso.datetime(),
  trigger: triggerSchema,
  scope: scopeSchema,
  resources: z.array(evidenceResourceSchema),
  /** Calls that failed: a record with errors is never a complete snapshot. */
  errors: z.array(collectionErrorSchema),
  /** Facts worth keeping that are not errors, such as a bucket deleted between list and describe. */
  notes: z.array(collectionNoteSchema),
  /** ARNs that a resource-scoped collection found gone: the evaluator drops them from the state. */
  deleted: z.array(z.string()),
  calls: z.number().int().nonnegative(),
});
export type EvidenceRecord = z.infer<typeof evidenceRecordSchema>;

/** A snapshot is complete when it covers everything in its scope and no call failed. */
export function isComplete(record: EvidenceRecord): boolean {
  return record.errors.length === 0;
}
