import { z } from 'zod';

/**
 * Amazon Inspector's status for the account in one region. Inspector has no ARN for it: the
 * resource is the account root ARN, one per region.
 */
export const INSPECTOR_ACCOUNT_TYPE = 'AWS::Inspector2::AccountStatus';

export const inspectorAccountConfigurationSchema = z.object({
  /** The account's overall state (ENABLED, DISABLED, ENABLING, SUSPENDED ...). */
  status: z.string(),
  /** Status per resource type BatchGetAccountStatus answered (ec2, ecr, lambda, lambdaCode, codeRepository). */
  resourceTypes: z.record(z.string(), z.string()),
});
export type InspectorAccountConfiguration = z.infer<typeof inspectorAccountConfigurationSchema>;
