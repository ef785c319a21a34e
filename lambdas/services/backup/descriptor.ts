import {
  BACKUP_PLAN_TYPE,
  backupPlanConfigurationSchema,
  RESTORE_TESTING_PLAN_TYPE,
  restoreTestingPlanConfigurationSchema,
} from '../../evidence/resources/backup';
import { type ServiceDescriptor, serviceEvents } from '../types';

/** AWS Backup: the backup plans with their selections and the restore testing plans of each region. */
export const backupService = {
  name: 'backup',
  global: false,
  resourceKinds: [
    {
      type: BACKUP_PLAN_TYPE,
      arnForm: 'arn:{partition}:backup:{region}:{account}:backup-plan:{id}',
      schema: backupPlanConfigurationSchema,
      describeApi: 'ListBackupSelections, then GetBackupSelection',
    },
    {
      type: RESTORE_TESTING_PLAN_TYPE,
      arnForm: 'arn:{partition}:backup:{region}:{account}:restore-testing-plan:{id}',
      schema: restoreTestingPlanConfigurationSchema,
      describeApi: 'ListRestoreTestingSelections, GetRestoreTestingSelection, ListRestoreJobs',
    },
  ],
  readGrants: [
    { actions: ['backup:ListBackupPlans', 'backup:ListRestoreTestingPlans', 'backup:ListRestoreJobs'], resources: '*' },
    {
      actions: ['backup:ListBackupSelections', 'backup:GetBackupSelection'],
      resources: ['arn:{partition}:backup:{region}:{account}:backup-plan:*'],
    },
    {
      actions: ['backup:ListRestoreTestingSelections', 'backup:GetRestoreTestingSelection'],
      resources: ['arn:{partition}:backup:{region}:{account}:restore-testing-plan:*'],
    },
  ],
  // AWS Backup list calls accept at most 1000 per page (AWS Backup API reference, MaxResults).
  pageSizes: { listings: 1000 },
  resourceForms: {},
  events: serviceEvents(
    'backup.amazonaws.com',
    [
      'CreateBackupPlan',
      'UpdateBackupPlan',
      'DeleteBackupPlan',
      'CreateBackupSelection',
      'DeleteBackupSelection',
      'CreateRestoreTestingPlan',
      'UpdateRestoreTestingPlan',
      'DeleteRestoreTestingPlan',
      'CreateRestoreTestingSelection',
      'UpdateRestoreTestingSelection',
      'DeleteRestoreTestingSelection',
    ],
    [],
    { otherwise: 'collect-all' },
  ),
} satisfies ServiceDescriptor;
