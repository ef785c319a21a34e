import { z } from 'zod';
import { awsRegionSchema } from '../config/schema';

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

const userIdentitySchema = z.looseObject({
  type: z.string().optional(),
  principalId: z.string().optional(),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  userName: z.string().optional(),
});

/** Only the fields the change path reads are required; everything else is kept as written. */
export const cloudTrailDetailSchema = z.looseObject({
  eventVersion: z.string().optional(),
  userIdentity: userIdentitySchema,
  eventTime: z.iso.datetime({ offset: true }),
  eventSource: z.string().min(1),
  eventName: z.string().min(1),
  // The region becomes part of evidence keys: only a region name may pass ("../" would leave the layout).
  awsRegion: awsRegionSchema,
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  requestParameters: z.record(z.string(), z.unknown()).nullable().optional(),
  responseElements: z.record(z.string(), z.unknown()).nullable().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  eventID: z.string().min(1),
  recipientAccountId: z.string().regex(/^\d{12}$/, 'recipientAccountId must be a 12-digit account id'),
});
export type CloudTrailDetail = z.infer<typeof cloudTrailDetailSchema>;

export const cloudTrailEventSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().min(1),
  'detail-type': z.literal(CLOUDTRAIL_DETAIL_TYPE),
  source: z.string().min(1),
  account: z.string().regex(/^\d{12}$/, 'account must be a 12-digit account id'),
  time: z.string().optional(),
  region: awsRegionSchema,
  resources: z.array(z.unknown()).optional(),
  detail: cloudTrailDetailSchema,
});
export type CloudTrailEvent = z.infer<typeof cloudTrailEventSchema>;

export type ParsedEvent = { ok: true; event: CloudTrailEvent } | { ok: false; problem: string };

/**
 * Parses a message body or file (JSON text or an already-parsed value). A truncated or
 * malformed event comes back as a problem naming the first bad field, never as a throw.
 */
export function parseCloudTrailEvent(input: unknown): ParsedEvent {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      return { ok: false, problem: `not valid JSON (${(err as Error).message})` };
    }
  }
  const result = cloudTrailEventSchema.safeParse(value);
  if (result.success) return { ok: true, event: result.data };
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  return { ok: false, problem: `${path || '(root)'}: ${issue.message}` };
}

/** The principal an event names: the ARN when CloudTrail gives one, else the best identifier it has. */
export function principalOf(detail: CloudTrailDetail): string {
  const identity = detail.userIdentity;
  return identity.arn ?? identity.principalId ?? identity.type ?? 'unknown principal';
}

/**
 * The partition of the account that recorded the event: from the caller's ARN when CloudTrail
 * gives one, else from the region (cn-* is aws-cn, us-gov-* is aws-us-gov).
 */
export function partitionOf(detail: Pick<CloudTrailDetail, 'userIdentity' | 'awsRegion'>): string {
  const fromArn = /^arn:(aws[a-z-]*):/.exec(detail.userIdentity.arn ?? '')?.[1];
  return fromArn ?? partitionOfRegion(detail.awsRegion);
}

export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
