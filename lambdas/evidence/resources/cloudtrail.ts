import { z } from 'zod';

/**
 * Normalised CloudTrail trail. DescribeTrails with shadow trails lists a multi-region or
 * organization trail in every region; `isShadow` marks the copies seen outside the home region.
 */
export const CLOUDTRAIL_TRAIL_TYPE = 'AWS::CloudTrail::Trail';

export const dataResourceSchema = z.object({ type: z.string(), values: z.array(z.string()) });

export const basicEventSelectorSchema = z.object({
  readWriteType: z.enum(['ReadOnly', 'WriteOnly', 'All']),
  includeManagementEvents: z.boolean(),
  dataResources: z.array(dataResourceSchema),
  excludeManagementEventSources: z.array(z.string()),
});
export type BasicEventSelector = z.infer<typeof basicEventSelectorSchema>;

export const fieldSelectorSchema = z.object({
  field: z.string(),
  equals: z.array(z.string()).optional(),
  startsWith: z.array(z.string()).optional(),
  endsWith: z.array(z.string()).optional(),
  notEquals: z.array(z.string()).optional(),
  notStartsWith: z.array(z.string()).optional(),
  notEndsWith: z.array(z.string()).optional(),
});
export type FieldSelector = z.infer<typeof fieldSelectorSchema>;

export const advancedEventSelectorSchema = z.object({
  name: z.string().optional(),
  fieldSelectors: z.array(fieldSelectorSchema),
});
export type AdvancedEventSelector = z.infer<typeof advancedEventSelectorSchema>;

export const cloudTrailTrailConfigurationSchema = z.object({
  name: z.string(),
  homeRegion: z.string(),
  isShadow: z.boolean(),
  isMultiRegion: z.boolean(),
  isOrganizationTrail: z.boolean(),
  includeGlobalServiceEvents: z.boolean(),
  logFileValidationEnabled: z.boolean(),
  /** null: logs are encrypted with SSE-S3 only. */
  kmsKeyId: z.string().nullable(),
  s3BucketName: z.string().optional(),
  s3KeyPrefix: z.string().optional(),
  cloudWatchLogsLogGroupArn: z.string().optional(),
  /** Absent when GetTrailStatus failed. */
  status: z
    .object({
      isLogging: z.boolean(),
      latestDeliveryTime: z.string().optional(),
      latestDeliveryError: z.string().optional(),
      /** GetTrailStatus LatestCloudWatchLogsDeliveryTime / Error: the last delivery to the CloudWatch Logs group. */
      latestCloudWatchLogsDeliveryTime: z.string().optional(),
      latestCloudWatchLogsDeliveryError: z.string().optional(),
    })
    .optional(),
  /** Absent when GetEventSelectors failed. A trail has basic or advanced selectors, not both. */
  eventSelectors: z
    .object({ basic: z.array(basicEventSelectorSchema), advanced: z.array(advancedEventSelectorSchema) })
    .optional(),
});
export type CloudTrailTrailConfiguration = z.infer<typeof cloudTrailTrailConfigurationSchema>;
