import {
  endpointConfigSchema,
  endpointSchema,
  modelPackageArnOf,
  modelPackageSchema,
  modelSchema,
  SM_ENDPOINT_CONFIG_TYPE,
  SM_ENDPOINT_TYPE,
  type SmEndpoint,
  type SmEndpointAlarm,
  type SmModel,
  type SmMonitoringSchedule,
  sageMakerSiblingArn,
} from '../../evidence/resources/sagemaker';
import { readConfiguration } from '../framework';
import { fail, missing, pass, type Verdict } from '../helpers';
import type { Check, Snapshot, SnapshotResource } from '../types';
import { expectValue, isSet, type Judge, missingVia, RECREATE, sageMakerCheck } from './common';
import { ENDPOINT_LIST, endpointConfigNamed, sageMakerIndex } from './lookups';

const endpointCheck = (id: string, passCondition: string, remediation: string, judge: Judge<SmEndpoint>) =>
  sageMakerCheck({
    id,
    passCondition,
    remediation,
    type: SM_ENDPOINT_TYPE,
    schema: endpointSchema,
    what: 'InService endpoints',
    listApis: ENDPOINT_LIST,
    select: (endpoint) => endpoint.status === 'InService',
    judge,
  });

const ALARM_APIS = ['cloudwatch:DescribeAlarms'];
const SCALING_APIS = ['application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingPolicies'];
const LATENCY_METRICS = ['ModelLatency', 'OverheadLatency'];
const UTILIZATION_METRICS = ['CPUUtilization', 'GPUUtilization', 'GPUMemoryUtilization', 'MemoryUtilization', 'DiskUtilization'];

/** PASS naming the first alarm that `matches`, FAIL naming what was looked for. */
function alarmJudge(what: string, matches: (alarm: SmEndpointAlarm) => boolean): Judge<SmEndpoint> {
  return (endpoint, resource, snapshot) => {
    if (endpoint.alarms === undefined) return missingVia(snapshot, resource.arn, 'CloudWatch alarms', ALARM_APIS);
    const alarm = endpoint.alarms.find(matches);
    return alarm
      ? pass(`alarm ${alarm.name} watches ${alarm.metricNames.join(', ')}`)
      : fail(`no ${what} among ${endpoint.alarms.length} alarm(s) on EndpointName ${endpoint.name}`);
  };
}

const judgeMultiInstance: Judge<SmEndpoint> = (endpoint, resource, snapshot) => {
  const config = endpointConfigNamed(snapshot, endpoint.endpointConfigName)?.config;
  const counts = endpoint.variants
    .filter((variant) => !variant.serverless)
    .map((variant) => ({
      name: variant.name,
      count:
        variant.currentInstanceCount ??
        variant.desiredInstanceCount ??
        config?.variants.find((v) => v.name === variant.name)?.initialInstanceCount ??
        null,
    }));
  const unknown = counts.filter((v) => v.count === null);
  if (unknown.length > 0)
    return missing(snapshot, resource.arn, `instance count of variant ${unknown.map((v) => v.name).join(', ')}`);
  const single = counts.filter((v) => (v.count ?? 0) < 2);
  if (single.length > 0) return fail(single.map((v) => `variant ${v.name} CurrentInstanceCount is ${v.count}`).join('; '));
  return pass(
    counts.length === 0
      ? 'every production variant is serverless'
      : counts.map((v) => `variant ${v.name} CurrentInstanceCount is ${v.count}`).join('; '),
  );
};

const judgeAutoscaling: Judge<SmEndpoint> = (endpoint, resource, snapshot) => {
  if (endpoint.variants.some((v) => v.autoScaling === undefined))
    return missingVia(snapshot, resource.arn, 'Application Auto Scaling targets', SCALING_APIS);
  if (endpoint.variants.length === 0) return fail('the endpoint reports no production variants');
  const problems = endpoint.variants.flatMap((v) => {
    if (!v.autoScaling) return [`variant ${v.name} is not a scalable target`];
    if (v.autoScaling.policies.length === 0) return [`variant ${v.name} is a scalable target with no scaling policy`];
    return [];
  });
  return problems.length > 0
    ? fail(problems.join('; '))
    : pass(endpoint.variants.map((v) => `variant ${v.name} scales with ${v.autoScaling?.policies.join(', ')}`).join('; '));
};

/** The schedule that satisfies `wanted`, ERROR when schedules could not all be read, FAIL otherwise. */
function monitorJudge(what: string, wanted: (schedule: SmMonitoringSchedule) => boolean): Judge<SmEndpoint> {
  return (endpoint, resource, snapshot) => {
    const schedules = (endpoint.name && sageMakerIndex(snapshot).schedulesByEndpoint.get(endpoint.name.toLowerCase())) || [];
    const found = schedules.find((s) => s.status === 'Scheduled' && wanted(s));
    if (found) return pass(`monitoring schedule ${found.name} (${found.monitoringType ?? 'DataQuality'}) is Scheduled`);
    const apis = ['sagemaker:ListMonitoringSchedules', 'sagemaker:DescribeMonitoringSchedule'];
    if (snapshot.errors.some((e) => apis.includes(e.api)))
      return missingVia(snapshot, resource.arn, 'monitoring schedules', apis);
    return fail(
      schedules.length === 0
        ? `no ${what} names EndpointName ${endpoint.name}`
        : `no Scheduled ${what}: ${schedules.map((s) => `${s.name} is ${s.status ?? 'unknown'}`).join(', ')}`,
    );
  };
}

interface DeployedModels {
  models: { resource: SnapshotResource; model: SmModel }[];
  /** Set when the chain endpoint -> config -> models could not be followed. */
  problem?: Verdict;
}

/** The models behind an endpoint, through its endpoint config. */
function modelsBehind(endpoint: SmEndpoint, endpointArn: string, snapshot: Snapshot): DeployedModels {
  const config = endpointConfigNamed(snapshot, endpoint.endpointConfigName);
  if (!config) {
    const configArn = sageMakerSiblingArn(endpointArn, 'endpoint-config', endpoint.endpointConfigName ?? '');
    return { models: [], problem: missing(snapshot, configArn, `endpoint config ${endpoint.endpointConfigName}`) };
  }
  const models: DeployedModels['models'] = [];
  for (const variant of config.config.variants) {
    const resource =
      variant.modelName === null ? undefined : sageMakerIndex(snapshot).models.get(variant.modelName.toLowerCase());
    const model = resource ? readConfiguration(modelSchema, resource) : undefined;
    if (!resource || !model) {
      const modelArn = resource?.arn ?? sageMakerSiblingArn(endpointArn, 'model', variant.modelName ?? '');
      return { models, problem: missing(snapshot, modelArn, `model ${variant.modelName} of variant ${variant.name}`) };
    }
    models.push({ resource, model });
  }
  return { models };
}

const packageArnsOf = (model: SmModel, modelArn: string) =>
  model.containers.flatMap((c) => (c.modelPackageName ? [modelPackageArnOf(modelArn, c.modelPackageName)] : []));

const judgeModelRegistered: Judge<SmEndpoint> = (endpoint, resource, snapshot) => {
  const { models, problem } = modelsBehind(endpoint, resource.arn, snapshot);
  if (problem) return problem;
  const unregistered = models.filter(({ model, resource: r }) => packageArnsOf(model, r.arn).length === 0);
  if (unregistered.length > 0)
    return fail(`model ${unregistered.map((m) => m.model.name).join(', ')} has no container ModelPackageName`);
  return pass(
    models.map(({ model, resource: r }) => `model ${model.name} from ${packageArnsOf(model, r.arn).join(', ')}`).join('; '),
  );
};

const judgeModelApproved: Judge<SmEndpoint> = (endpoint, resource, snapshot) => {
  const { models, problem } = modelsBehind(endpoint, resource.arn, snapshot);
  if (problem) return problem;
  const details: string[] = [];
  const failures: string[] = [];
  for (const { model, resource: modelResource } of models) {
    const packages = packageArnsOf(model, modelResource.arn);
    if (packages.length === 0) failures.push(`model ${model.name} comes from no model package`);
    for (const arn of packages) {
      const packageResource = sageMakerIndex(snapshot).modelPackages.get(arn.toLowerCase());
      const modelPackage = packageResource ? readConfiguration(modelPackageSchema, packageResource) : undefined;
      if (!modelPackage) return missing(snapshot, arn, `model package ${arn}`);
      const line = `model package ${arn} ModelApprovalStatus is ${modelPackage.approvalStatus ?? 'not set'}`;
      (modelPackage.approvalStatus === 'Approved' ? details : failures).push(line);
    }
  }
  return failures.length > 0 ? fail(failures.join('; ')) : pass(details.join('; '));
};

export const ENDPOINT_CHECKS: Check[] = [
  sageMakerCheck({
    id: 'sm.endpoint_config.kms',
    passCondition: 'endpoint config in use: KmsKeyId set (instance-based variants)',
    remediation: `Create a new endpoint config with KmsKeyId and update the endpoint to it. ${RECREATE}`,
    type: SM_ENDPOINT_CONFIG_TYPE,
    schema: endpointConfigSchema,
    what: 'endpoint configs in use with instance-based variants',
    listApis: ENDPOINT_LIST,
    select: (config, _resource, snapshot) =>
      config.variants.some((v) => !v.serverless) &&
      !!config.name &&
      sageMakerIndex(snapshot).endpointConfigsInUse.has(config.name.toLowerCase()),
    judge: (config) => isSet('KmsKeyId', config.kmsKeyId),
  }),
  endpointCheck(
    'sm.endpoint.multi_instance',
    'InService endpoint: every instance-based production variant has at least 2 instances',
    'Raise the instance count of every instance-based variant to at least 2 (update the endpoint or its scaling minimum).',
    judgeMultiInstance,
  ),
  endpointCheck(
    'sm.endpoint.alarms',
    'InService endpoint: at least one CloudWatch alarm with an action watches its metrics',
    'Create CloudWatch alarms on the endpoint metrics (EndpointName dimension) with an alarm action such as an SNS topic.',
    alarmJudge('alarm with an enabled action', (alarm) => alarm.actionsEnabled && alarm.alarmActions.length > 0),
  ),
  endpointCheck(
    'sm.endpoint.latency_alarm',
    'InService endpoint: an alarm on ModelLatency or OverheadLatency',
    'Create a CloudWatch alarm on ModelLatency or OverheadLatency for the endpoint.',
    alarmJudge('alarm on ModelLatency or OverheadLatency', (alarm) => alarm.metricNames.some((m) => LATENCY_METRICS.includes(m))),
  ),
  endpointCheck(
    'sm.endpoint.utilization_alarm',
    'InService endpoint: an alarm on CPU, GPU, memory or disk utilisation',
    'Create a CloudWatch alarm on CPUUtilization, GPUUtilization, MemoryUtilization or DiskUtilization (/aws/sagemaker/Endpoints).',
    alarmJudge('alarm on CPU, GPU, memory or disk utilisation', (alarm) =>
      alarm.metricNames.some((m) => UTILIZATION_METRICS.includes(m)),
    ),
  ),
  endpointCheck(
    'sm.endpoint.autoscaling',
    'InService endpoint: every variant registered as an Application Auto Scaling target with a policy',
    'Register every variant (endpoint/<name>/variant/<variant>) as a scalable target and attach a scaling policy.',
    judgeAutoscaling,
  ),
  endpointCheck(
    'sm.endpoint.data_capture',
    'InService endpoint: data capture enabled',
    'Create an endpoint config with DataCaptureConfig.EnableCapture true and update the endpoint to it.',
    (endpoint) => expectValue('DataCaptureConfig.EnableCapture', endpoint.dataCaptureEnabled, true),
  ),
  endpointCheck(
    'sm.endpoint.data_quality_monitor',
    'InService endpoint: a scheduled, not stopped, data-quality monitoring schedule',
    'Create a DataQuality monitoring schedule for the endpoint (Model Monitor) and keep it Scheduled.',
    monitorJudge('DataQuality monitoring schedule', (s) => (s.monitoringType ?? 'DataQuality') === 'DataQuality'),
  ),
  endpointCheck(
    'sm.endpoint.drift_monitor',
    'InService endpoint: a scheduled, not stopped, monitoring schedule of any type',
    'Create a Model Monitor schedule (data quality, model quality, bias or explainability) for the endpoint and keep it Scheduled.',
    monitorJudge('monitoring schedule', () => true),
  ),
  endpointCheck(
    'sm.endpoint.auto_rollback',
    'InService endpoint: its deployment config has auto-rollback with alarms',
    'Update the endpoint with a DeploymentConfig whose AutoRollbackConfiguration names CloudWatch alarms.',
    (endpoint) => {
      if (endpoint.autoRollbackAlarms === null) return fail('LastDeploymentConfig.AutoRollbackConfiguration is not set');
      return endpoint.autoRollbackAlarms.length > 0
        ? pass(`AutoRollbackConfiguration.Alarms is ${endpoint.autoRollbackAlarms.join(', ')}`)
        : fail('AutoRollbackConfiguration.Alarms is empty');
    },
  ),
  endpointCheck(
    'sm.endpoint.model_registered',
    'InService endpoint: its model comes from a model package version',
    'Register the model in the SageMaker Model Registry and deploy it from the model package version (ModelPackageName).',
    judgeModelRegistered,
  ),
  endpointCheck(
    'sm.endpoint.model_approved',
    'InService endpoint: that model package is Approved',
    'Deploy only model package versions whose ModelApprovalStatus is Approved, through the approval workflow.',
    judgeModelApproved,
  ),
];
