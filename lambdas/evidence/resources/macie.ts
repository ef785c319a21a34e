import { z } from 'zod';

/**
 * Amazon Macie in one region: the session status, automated sensitive data discovery with the
 * buckets its classification scope excludes, and the classification jobs with the buckets they
 * name. Macie has no ARN for the session: the resource is the account root ARN, one per region.
 */
export const MACIE_SESSION_TYPE = 'AWS::Macie::Session';

export const macieSessionConfigurationSchema = z.object({
  /** ENABLED or PAUSED; NOT_ENABLED when GetMacieSession answered that Macie is not enabled. */
  status: z.string(),
  /** Absent when Macie is not enabled or the call failed. */
  automatedDiscovery: z
    .object({
      status: z.string(),
      /** Bucket names the classification scope excludes; absent when the scope could not be read. */
      excludedBuckets: z.array(z.string()).optional(),
    })
    .optional(),
  /** Absent when Macie is not enabled or the listing failed. */
  jobs: z
    .array(
      z.object({
        jobId: z.string(),
        name: z.string().optional(),
        status: z.string(),
        type: z.string(),
        lastRunTime: z.string().optional(),
        /** lastRunErrorStatus.code: NONE or ERROR. */
        lastRunError: z.string().optional(),
        /** Buckets named explicitly (bucketDefinitions). */
        buckets: z.array(z.object({ account: z.string(), name: z.string() })),
        /** True when the job selects buckets by criteria, which only Macie can resolve at run time. */
        byCriteria: z.boolean(),
      }),
    )
    .optional(),
});
export type MacieSessionConfiguration = z.infer<typeof macieSessionConfigurationSchema>;
