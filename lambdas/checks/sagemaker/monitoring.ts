import { z } from 'zod';
import {
  monitoringJobDefinitionSchema,
  monitoringScheduleSchema,
  SM_MONITORING_JOB_DEFINITION_TYPE,
  SM_MONITORING_SCHEDULE_TYPE,
  type SmMonitoringJobDefinition,
  type SmMonitoringSchedule,
} from '../../evidence/resources/sagemaker';
import { fail, missing, pass } from '../helpers';
import type { Check, SnapshotResource } from '../types';
import { RECREATE, sageMakerCheck } from './common';

const MONITORING_LIST = [
  'sagemaker:ListMonitoringSchedules',
  'sagemaker:ListDataQualityJobDefinitions',
  'sagemaker:ListModelQualityJobDefinitions',
  'sagemaker:ListModelBiasJobDefinitions',
  'sagemaker:ListModelExplainabilityJobDefinitions',
];

type NetworkSetting = 'enableNetworkIsolation' | 'enableInterContainerTrafficEncryption';

/** A job definition, or a schedule (which may carry its definition inline): each matches its own schema. */
const monitoringSchema = z.union([monitoringJobDefinitionSchema, monitoringScheduleSchema]);
type MonitoringRecord = z.infer<typeof monitoringSchema>;

const settingOf = (record: MonitoringRecord, resource: SnapshotResource, setting: NetworkSetting): boolean | undefined =>
  resource.type === SM_MONITORING_JOB_DEFINITION_TYPE
    ? (record as SmMonitoringJobDefinition)[setting]
    : (record as SmMonitoringSchedule).inlineJobDefinition?.[setting];

/** Monitoring job definitions, and schedules that carry theirs inline (named ones are judged as definitions). */
function monitoringCheck(id: string, passCondition: string, remediation: string, setting: NetworkSetting, field: string): Check {
  return sageMakerCheck({
    id,
    passCondition,
    remediation,
    type: [SM_MONITORING_JOB_DEFINITION_TYPE, SM_MONITORING_SCHEDULE_TYPE],
    schema: monitoringSchema,
    what: 'monitoring job definitions or schedules with an inline definition',
    listApis: MONITORING_LIST,
    // A schedule that could not be described may carry its definition inline: it stays in scope.
    select: (record, resource) =>
      resource.type === SM_MONITORING_JOB_DEFINITION_TYPE || !(record as SmMonitoringSchedule).jobDefinitionName,
    undescribedWhat: field,
    judge: (record, resource, snapshot) => {
      const value = settingOf(record, resource, setting);
      if (value === undefined) return missing(snapshot, resource.arn, field);
      return value ? pass(`${field} is true`) : fail(`${field} is false`);
    },
  });
}

export const MONITORING_CHECKS: Check[] = [
  monitoringCheck(
    'sm.monitoring.network_isolation',
    'monitoring job definition / schedule network isolation on',
    `Set NetworkConfig.EnableNetworkIsolation on the monitoring job definition. ${RECREATE}`,
    'enableNetworkIsolation',
    'NetworkConfig.EnableNetworkIsolation',
  ),
  monitoringCheck(
    'sm.monitoring.inter_container_encryption',
    'monitoring job definition / schedule inter-container encryption on',
    `Set NetworkConfig.EnableInterContainerTrafficEncryption on the monitoring job definition. ${RECREATE}`,
    'enableInterContainerTrafficEncryption',
    'NetworkConfig.EnableInterContainerTrafficEncryption',
  ),
];
