import { z } from 'zod';

/** A GuardDuty detector of one region (an account has at most one per region). */
export const GUARDDUTY_DETECTOR_TYPE = 'AWS::GuardDuty::Detector';

export const guardDutyDetectorConfigurationSchema = z.object({
  detectorId: z.string(),
  /** GetDetector Status: ENABLED or DISABLED. */
  status: z.string(),
  /**
   * Status of the S3_DATA_EVENTS feature (GetDetector Features), or of the older
   * DataSources.S3Logs when the answer has no feature list; absent when neither was returned.
   */
  s3DataEvents: z.string().optional(),
  /** Where s3DataEvents was read: the feature list or the legacy data sources. */
  s3DataEventsSource: z.enum(['Features', 'DataSources']).optional(),
});
export type GuardDutyDetectorConfiguration = z.infer<typeof guardDutyDetectorConfigurationSchema>;
