import { z } from 'zod';

export const BACKUP_PLAN_TYPE = 'AWS::Backup::BackupPlan';
export const RESTORE_TESTING_PLAN_TYPE = 'AWS::Backup::RestoreTestingPlan';

const conditionSchema = z.object({ type: z.string(), key: z.string(), value: z.string() });

/** One backup selection as GetBackupSelection answers it: resources by ARN (wildcards allowed) or by tag. */
export const backupSelectionSchema = z.object({
  selectionId: z.string(),
  name: z.string(),
  resources: z.array(z.string()),
  notResources: z.array(z.string()),
  /** ListOfTags: OR-ed STRINGEQUALS conditions on tags. */
  listOfTags: z.array(conditionSchema),
  /** Conditions: AND-ed tag conditions (StringEquals, StringLike, StringNotEquals, StringNotLike). */
  conditions: z.array(conditionSchema),
});
export type BackupSelection = z.infer<typeof backupSelectionSchema>;

export const backupPlanConfigurationSchema = z.object({
  planId: z.string(),
  name: z.string(),
  /** Absent when ListBackupSelections failed (see the record's errors). */
  selections: z.array(backupSelectionSchema).optional(),
});
export type BackupPlanConfiguration = z.infer<typeof backupPlanConfigurationSchema>;

export const restoreTestingPlanConfigurationSchema = z.object({
  name: z.string(),
  /** Absent when the selections could not be read. */
  selections: z
    .array(
      z.object({
        name: z.string(),
        /** S3, EBS, RDS ... as AWS Backup names the resource types. */
        protectedResourceType: z.string(),
        /** Selected ARNs; ["*"] selects every protected resource of the type. */
        protectedResourceArns: z.array(z.string()),
        /** StringEquals / StringNotEquals tag conditions on the protected resources. */
        conditions: z.array(conditionSchema),
      }),
    )
    .optional(),
  /** The latest COMPLETED restore job this plan started, or null when it has none; absent when ListRestoreJobs failed. */
  latestCompletedRestore: z
    .object({ restoreJobId: z.string(), completionDate: z.string(), resourceType: z.string().optional() })
    .nullable()
    .optional(),
});
export type RestoreTestingPlanConfiguration = z.infer<typeof restoreTestingPlanConfigurationSchema>;
