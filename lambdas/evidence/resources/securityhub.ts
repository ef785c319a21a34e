import { z } from 'zod';

/** The Security Hub hub of one region; absent from the evidence when the account is not subscribed there. */
export const SECURITYHUB_HUB_TYPE = 'AWS::SecurityHub::Hub';

export const securityHubHubConfigurationSchema = z.object({
  subscribedAt: z.string().optional(),
  /** GetEnabledStandards: every subscription with its status (READY, PENDING, INCOMPLETE, FAILED, DELETING). */
  standards: z.array(z.object({ standardsArn: z.string(), status: z.string() })).optional(),
});
export type SecurityHubHubConfiguration = z.infer<typeof securityHubHubConfigurationSchema>;
