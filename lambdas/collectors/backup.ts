import {
  type BackupClient,
  GetBackupSelectionCommand,
  GetRestoreTestingSelectionCommand,
  paginateListBackupPlans,
  paginateListBackupSelections,
  paginateListRestoreJobs,
  paginateListRestoreTestingPlans,
  paginateListRestoreTestingSelections,
} from '@aws-sdk/client-backup';
import type { EvidenceResource } from '../evidence/record';
import {
  BACKUP_PLAN_TYPE,
  type BackupPlanConfiguration,
  type BackupSelection,
  RESTORE_TESTING_PLAN_TYPE,
  type RestoreTestingPlanConfiguration,
} from '../evidence/resources/backup';
import { backupService } from '../services/backup/descriptor';
import { CollectionLog } from './collection-log';
import { collectListing, collectPages, iso } from './pages';
import type { Collector, CollectorContext, CollectorOutput } from './types';

const PAGE = backupService.pageSizes.listings;
/** A restore test proves recovery for a year: older restore jobs are not read. */
const RESTORE_LOOKBACK_DAYS = 365;

export const backupCollector: Collector = {
  name: 'backup',
  version: '1.0.0',
  global: backupService.global,
  collect: collectBackup,
};

/** The region's backup plans with their selections, and restore testing plans with their latest completed restore. */
export async function collectBackup(context: CollectorContext): Promise<CollectorOutput> {
  const log = new CollectionLog(context.deadline);
  const backup = context.clients.backup(context.region);
  const plans = await collectListing(
    log,
    'backup:ListBackupPlans',
    () => paginateListBackupPlans({ client: backup, pageSize: PAGE }, {}),
    (page) => page.BackupPlansList,
  );
  const resources: EvidenceResource[] = [];
  for (const plan of plans.items) {
    if (!plan.BackupPlanId || !plan.BackupPlanArn || !log.mayDescribe(plan.BackupPlanArn)) continue;
    const selections = await planSelections(log, backup, plan.BackupPlanArn, plan.BackupPlanId);
    const configuration: BackupPlanConfiguration = {
      planId: plan.BackupPlanId,
      name: plan.BackupPlanName ?? plan.BackupPlanId,
      ...(selections ? { selections } : {}),
    };
    resources.push({ arn: plan.BackupPlanArn, type: BACKUP_PLAN_TYPE, region: context.region, configuration, tags: {} });
  }

  const testingPlans = await collectListing(
    log,
    'backup:ListRestoreTestingPlans',
    () => paginateListRestoreTestingPlans({ client: backup, pageSize: PAGE }, {}),
    (page) => page.RestoreTestingPlans,
  );
  const since = new Date(context.clock().getTime() - RESTORE_LOOKBACK_DAYS * 86_400_000);
  for (const plan of testingPlans.items) {
    if (!plan.RestoreTestingPlanArn || !plan.RestoreTestingPlanName || !log.mayDescribe(plan.RestoreTestingPlanArn)) continue;
    const configuration = await restoreTestingPlan(log, backup, plan.RestoreTestingPlanArn, plan.RestoreTestingPlanName, since);
    resources.push({
      arn: plan.RestoreTestingPlanArn,
      type: RESTORE_TESTING_PLAN_TYPE,
      region: context.region,
      configuration,
      tags: {},
    });
  }
  context.progress?.(`backup ${context.region}: ${plans.items.length} plans, ${testingPlans.items.length} restore testing plans`);
  return { resources, ...log.output() };
}

async function planSelections(
  log: CollectionLog,
  backup: BackupClient,
  planArn: string,
  planId: string,
): Promise<BackupSelection[] | undefined> {
  const listed = await collectPages(
    log,
    'backup:ListBackupSelections',
    planArn,
    () => paginateListBackupSelections({ client: backup, pageSize: PAGE }, { BackupPlanId: planId }),
    (page) => page.BackupSelectionsList,
  );
  if (!listed) return undefined;
  const selections: BackupSelection[] = [];
  for (const entry of listed) {
    if (!entry.SelectionId) continue;
    const got = await log.call('backup:GetBackupSelection', planArn, () =>
      backup.send(new GetBackupSelectionCommand({ BackupPlanId: planId, SelectionId: entry.SelectionId })),
    );
    if (got.status !== 'ok') return undefined;
    const selection = got.value.BackupSelection;
    const conditions = Object.entries(selection?.Conditions ?? {}).flatMap(([type, parameters]) =>
      (parameters ?? []).map((p: { ConditionKey?: string; ConditionValue?: string }) => ({
        type,
        key: p.ConditionKey ?? '',
        value: p.ConditionValue ?? '',
      })),
    );
    selections.push({
      selectionId: entry.SelectionId,
      name: selection?.SelectionName ?? entry.SelectionName ?? entry.SelectionId,
      resources: selection?.Resources ?? [],
      notResources: selection?.NotResources ?? [],
      listOfTags: (selection?.ListOfTags ?? []).map((c) => ({
        type: c.ConditionType ?? 'STRINGEQUALS',
        key: c.ConditionKey ?? '',
        value: c.ConditionValue ?? '',
      })),
      conditions,
    });
  }
  return selections;
}

async function restoreTestingPlan(
  log: CollectionLog,
  backup: BackupClient,
  arn: string,
  name: string,
  since: Date,
): Promise<RestoreTestingPlanConfiguration> {
  const configuration: RestoreTestingPlanConfiguration = { name };
  const listed = await collectPages(
    log,
    'backup:ListRestoreTestingSelections',
    arn,
    () => paginateListRestoreTestingSelections({ client: backup, pageSize: PAGE }, { RestoreTestingPlanName: name }),
    (page) => page.RestoreTestingSelections,
  );
  if (listed) {
    const selections: NonNullable<RestoreTestingPlanConfiguration['selections']> = [];
    let complete = true;
    for (const entry of listed) {
      if (!entry.RestoreTestingSelectionName) continue;
      const got = await log.call('backup:GetRestoreTestingSelection', arn, () =>
        backup.send(
          new GetRestoreTestingSelectionCommand({
            RestoreTestingPlanName: name,
            RestoreTestingSelectionName: entry.RestoreTestingSelectionName,
          }),
        ),
      );
      if (got.status !== 'ok') {
        complete = false;
        break;
      }
      const selection = got.value.RestoreTestingSelection;
      const conditions = Object.entries(selection?.ProtectedResourceConditions ?? {}).flatMap(([type, pairs]) =>
        (pairs ?? []).map((p: { Key?: string; Value?: string }) => ({ type, key: p.Key ?? '', value: p.Value ?? '' })),
      );
      selections.push({
        name: entry.RestoreTestingSelectionName,
        protectedResourceType: selection?.ProtectedResourceType ?? entry.ProtectedResourceType ?? 'UNKNOWN',
        protectedResourceArns: selection?.ProtectedResourceArns ?? [],
        conditions,
      });
    }
    if (complete) configuration.selections = selections;
  }
  const restores = await collectPages(
    log,
    'backup:ListRestoreJobs',
    arn,
    () =>
      paginateListRestoreJobs(
        { client: backup, pageSize: PAGE },
        { ByRestoreTestingPlanArn: arn, ByStatus: 'COMPLETED', ByCompleteAfter: since },
      ),
    (page) => page.RestoreJobs,
  );
  if (restores) {
    const latest = restores
      .filter((job) => job.RestoreJobId && job.CompletionDate)
      .sort((a, b) => b.CompletionDate!.getTime() - a.CompletionDate!.getTime())[0];
    configuration.latestCompletedRestore = latest
      ? {
          restoreJobId: latest.RestoreJobId!,
          completionDate: iso(latest.CompletionDate)!,
          ...(latest.ResourceType ? { resourceType: latest.ResourceType } : {}),
        }
      : null;
  }
  return configuration;
}
