import {
  domainSchema,
  endpointConfigSchema,
  endpointSchema,
  featureGroupSchema,
  type MonitoringJobDefinitionKind,
  modelPackageSchema,
  modelSchema,
  monitoringJobDefinitionSchema,
  monitoringScheduleSchema,
  notebookInstanceSchema,
  notebookLifecycleConfigSchema,
  processingJobSchema,
  SM_DOMAIN_TYPE,
  SM_ENDPOINT_CONFIG_TYPE,
  SM_ENDPOINT_TYPE,
  SM_FEATURE_GROUP_TYPE,
  SM_MODEL_PACKAGE_TYPE,
  SM_MODEL_TYPE,
  SM_MONITORING_JOB_DEFINITION_TYPE,
  SM_MONITORING_SCHEDULE_TYPE,
  SM_NOTEBOOK_INSTANCE_TYPE,
  SM_NOTEBOOK_LIFECYCLE_CONFIG_TYPE,
  SM_PROCESSING_JOB_TYPE,
  SM_TRAINING_JOB_TYPE,
  trainingJobSchema,
} from '../../evidence/resources/sagemaker';
import {
  at,
  type FormContext,
  type Locator,
  type ResourceFormResolver,
  type ResourceKindDescriptor,
  type ServiceDescriptor,
  serviceEvents,
} from '../types';

/** One SageMaker resource kind: the resource type inside its ARN ("notebook-instance") beside the common fields. */
export interface SageMakerKind extends ResourceKindDescriptor {
  arnType: string;
}

function kind(arnType: string, type: string, describeApi: string, schema: ResourceKindDescriptor['schema']): SageMakerKind {
  return { arnType, type, describeApi, schema, arnForm: `arn:{partition}:sagemaker:{region}:{account}:${arnType}/{id}` };
}

const jobDefinition = (arnType: string, describeApi: string) =>
  kind(arnType, SM_MONITORING_JOB_DEFINITION_TYPE, describeApi, monitoringJobDefinitionSchema);

/**
 * Every SageMaker resource kind the collector describes, by the collector's name for it: the one
 * place its ARN type, evidence type, describe call and schema are written.
 */
export const SAGEMAKER_KINDS = {
  notebook: kind('notebook-instance', SM_NOTEBOOK_INSTANCE_TYPE, 'DescribeNotebookInstance', notebookInstanceSchema),
  lifecycleConfig: kind(
    'notebook-instance-lifecycle-config',
    SM_NOTEBOOK_LIFECYCLE_CONFIG_TYPE,
    'DescribeNotebookInstanceLifecycleConfig',
    notebookLifecycleConfigSchema,
  ),
  domain: kind('domain', SM_DOMAIN_TYPE, 'DescribeDomain', domainSchema),
  trainingJob: kind('training-job', SM_TRAINING_JOB_TYPE, 'DescribeTrainingJob', trainingJobSchema),
  processingJob: kind('processing-job', SM_PROCESSING_JOB_TYPE, 'DescribeProcessingJob', processingJobSchema),
  model: kind('model', SM_MODEL_TYPE, 'DescribeModel', modelSchema),
  endpointConfig: kind('endpoint-config', SM_ENDPOINT_CONFIG_TYPE, 'DescribeEndpointConfig', endpointConfigSchema),
  endpoint: kind('endpoint', SM_ENDPOINT_TYPE, 'DescribeEndpoint', endpointSchema),
  /** Described by ARN: versioned packages have no name of their own. */
  modelPackage: kind('model-package', SM_MODEL_PACKAGE_TYPE, 'DescribeModelPackage', modelPackageSchema),
  monitoringSchedule: kind(
    'monitoring-schedule',
    SM_MONITORING_SCHEDULE_TYPE,
    'DescribeMonitoringSchedule',
    monitoringScheduleSchema,
  ),
  featureGroup: kind('feature-group', SM_FEATURE_GROUP_TYPE, 'DescribeFeatureGroup', featureGroupSchema),
  DataQuality: jobDefinition('data-quality-job-definition', 'DescribeDataQualityJobDefinition'),
  ModelQuality: jobDefinition('model-quality-job-definition', 'DescribeModelQualityJobDefinition'),
  ModelBias: jobDefinition('model-bias-job-definition', 'DescribeModelBiasJobDefinition'),
  ModelExplainability: jobDefinition('model-explainability-job-definition', 'DescribeModelExplainabilityJobDefinition'),
} satisfies Record<string, SageMakerKind> & Record<MonitoringJobDefinitionKind, SageMakerKind>;

export type SageMakerKindName = keyof typeof SAGEMAKER_KINDS;

const SAGEMAKER = 'sagemaker.amazonaws.com';
/** CloudWatch API calls; EventBridge source aws.monitoring (aws.cloudwatch carries alarm state changes only). */
const CLOUDWATCH = 'monitoring.amazonaws.com';
/**
 * Application Auto Scaling calls: event source autoscaling.amazonaws.com (EventBridge source
 * aws.autoscaling, shared with EC2 Auto Scaling) and additionalEventData.service
 * application-autoscaling. "Monitor Application Auto Scaling events using Amazon EventBridge",
 * https://docs.aws.amazon.com/autoscaling/application/userguide/monitoring-eventbridge.html
 */
const AUTOSCALING = 'autoscaling.amazonaws.com';
const APPLICATION_AUTOSCALING = 'application-autoscaling';

const formOf = (name: SageMakerKindName) => `sagemaker:${SAGEMAKER_KINDS[name].arnType}`;
function named(name: SageMakerKindName, ...paths: string[]): Locator[][] {
  return [paths.map((path) => at(path, formOf(name)))];
}

const nameOf = (value: string) => value.split('/').at(-1) ?? value;
/** arn:aws:sagemaker:<region>:<account>:<type>/<lowercased name>, as AWS writes its ARNs. */
const sageMakerArn = ({ partition, region, account }: FormContext, arnType: string, name: string) =>
  `arn:${partition}:sagemaker:${region}:${account}:${arnType}/${name.toLowerCase()}`;

/**
 * A SageMaker name (or ARN) -> the resource's ARN; the name as written in the event travels
 * with it, as Describe* wants it.
 */
const kindForm =
  (arnType: string): ResourceFormResolver =>
  (value, context) =>
    value.startsWith('arn:')
      ? { resource: value }
      : { resource: sageMakerArn(context, arnType, nameOf(value)), name: nameOf(value) };

/** SageMaker, with the CloudWatch alarms and Application Auto Scaling targets of its endpoints. */
export const sageMakerService = {
  name: 'sagemaker',
  global: false,
  resourceKinds: Object.values(SAGEMAKER_KINDS),
  readGrants: [
    {
      actions: [
        'sagemaker:ListNotebookInstances',
        'sagemaker:ListNotebookInstanceLifecycleConfigs',
        'sagemaker:ListDomains',
        'sagemaker:ListTrainingJobs',
        'sagemaker:ListProcessingJobs',
        'sagemaker:ListModels',
        'sagemaker:ListEndpoints',
        'sagemaker:ListEndpointConfigs',
        'sagemaker:ListModelPackageGroups',
        'sagemaker:ListModelPackages',
        'sagemaker:ListMonitoringSchedules',
        'sagemaker:ListDataQualityJobDefinitions',
        'sagemaker:ListModelQualityJobDefinitions',
        'sagemaker:ListModelBiasJobDefinitions',
        'sagemaker:ListModelExplainabilityJobDefinitions',
        'sagemaker:ListFeatureGroups',
        'cloudwatch:DescribeAlarms',
        'application-autoscaling:DescribeScalableTargets',
        'application-autoscaling:DescribeScalingPolicies',
      ],
      resources: '*',
    },
    {
      actions: [
        'sagemaker:DescribeNotebookInstance',
        'sagemaker:DescribeNotebookInstanceLifecycleConfig',
        'sagemaker:DescribeDomain',
        'sagemaker:DescribeTrainingJob',
        'sagemaker:DescribeProcessingJob',
        'sagemaker:DescribeModel',
        'sagemaker:DescribeEndpoint',
        'sagemaker:DescribeEndpointConfig',
        'sagemaker:DescribeModelPackageGroup',
        'sagemaker:DescribeModelPackage',
        'sagemaker:DescribeMonitoringSchedule',
        'sagemaker:DescribeDataQualityJobDefinition',
        'sagemaker:DescribeModelQualityJobDefinition',
        'sagemaker:DescribeModelBiasJobDefinition',
        'sagemaker:DescribeModelExplainabilityJobDefinition',
        'sagemaker:DescribeFeatureGroup',
        'sagemaker:ListTags',
      ],
      resources: ['arn:{partition}:sagemaker:{region}:{account}:*'],
    },
  ],
  // The service defaults (10 for SageMaker List*) multiply listing calls on big accounts.
  pageSizes: { listings: 100, cloudWatchAlarms: 100, applicationAutoScaling: 50 },
  resourceForms: {
    ...Object.fromEntries(Object.values(SAGEMAKER_KINDS).map((k) => [`sagemaker:${k.arnType}`, kindForm(k.arnType)])),
    /** Application Auto Scaling ResourceId endpoint/<name>/variant/<v> -> endpoint ARN */
    sagemakerEndpointOfScalableTarget: (resourceId, context) => {
      const name = /^endpoint\/([^/]+)\/variant\/[^/]+$/.exec(resourceId)?.[1];
      return name ? { resource: sageMakerArn(context, SAGEMAKER_KINDS.endpoint.arnType, name), name } : undefined;
    },
  },
  events: [
    ...serviceEvents(
      SAGEMAKER,
      [
        'CreateNotebookInstance',
        'UpdateNotebookInstance',
        'DeleteNotebookInstance',
        'StopNotebookInstance',
        'StartNotebookInstance',
      ],
      named('notebook', 'requestParameters.notebookInstanceName'),
    ),
    ...serviceEvents(
      SAGEMAKER,
      ['CreateNotebookInstanceLifecycleConfig', 'UpdateNotebookInstanceLifecycleConfig', 'DeleteNotebookInstanceLifecycleConfig'],
      named('lifecycleConfig', 'requestParameters.notebookInstanceLifecycleConfigName'),
    ),
    ...serviceEvents(
      SAGEMAKER,
      ['CreateTrainingJob', 'UpdateTrainingJob', 'StopTrainingJob'],
      named('trainingJob', 'requestParameters.trainingJobName'),
    ),
    ...serviceEvents(
      SAGEMAKER,
      ['CreateProcessingJob', 'StopProcessingJob'],
      named('processingJob', 'requestParameters.processingJobName'),
    ),
    ...serviceEvents(SAGEMAKER, ['CreateModel', 'DeleteModel'], named('model', 'requestParameters.modelName')),
    ...serviceEvents(
      SAGEMAKER,
      ['CreateEndpointConfig', 'DeleteEndpointConfig'],
      named('endpointConfig', 'requestParameters.endpointConfigName'),
    ),
    ...serviceEvents(
      SAGEMAKER,
      ['CreateEndpoint', 'UpdateEndpoint', 'UpdateEndpointWeightsAndCapacities', 'DeleteEndpoint'],
      named('endpoint', 'requestParameters.endpointName'),
    ),
    ...serviceEvents(
      SAGEMAKER,
      [
        'CreateMonitoringSchedule',
        'UpdateMonitoringSchedule',
        'DeleteMonitoringSchedule',
        'StartMonitoringSchedule',
        'StopMonitoringSchedule',
      ],
      named('monitoringSchedule', 'requestParameters.monitoringScheduleName'),
    ),
    ...serviceEvents(
      SAGEMAKER,
      ['CreateModelPackage', 'UpdateModelPackage', 'DeleteModelPackage'],
      named(
        'modelPackage',
        'responseElements.modelPackageArn',
        'requestParameters.modelPackageArn',
        'requestParameters.modelPackageName',
      ),
    ),
    ...serviceEvents(
      SAGEMAKER,
      ['CreateDomain', 'UpdateDomain', 'DeleteDomain'],
      named('domain', 'responseElements.domainArn', 'requestParameters.domainId'),
    ),
    ...serviceEvents(
      SAGEMAKER,
      ['CreateFeatureGroup', 'UpdateFeatureGroup', 'DeleteFeatureGroup'],
      named('featureGroup', 'requestParameters.featureGroupName'),
    ),

    // Alarms and scaling are part of an endpoint's evidence: re-collect that endpoint.
    ...serviceEvents(
      CLOUDWATCH,
      ['PutMetricAlarm'],
      named('endpoint', 'requestParameters.dimensions[name=EndpointName].value'),
      // An alarm without an EndpointName dimension watches nothing the checks read.
      { otherwise: 'ignore' },
    ),
    // These name alarms only: which endpoints they watch (watched) is not in the record. Disabling
    // an alarm's actions changes what sagemaker checks read (an enabled action).
    ...serviceEvents(CLOUDWATCH, ['DeleteAlarms', 'DisableAlarmActions', 'EnableAlarmActions'], [], {
      otherwise: 'collect-all',
    }),
    ...serviceEvents(
      AUTOSCALING,
      ['RegisterScalableTarget', 'DeregisterScalableTarget', 'PutScalingPolicy', 'DeleteScalingPolicy'],
      [[at('requestParameters.resourceId', 'sagemakerEndpointOfScalableTarget')]],
      { service: APPLICATION_AUTOSCALING, onlyWhen: { path: 'requestParameters.serviceNamespace', equals: 'sagemaker' } },
    ),
  ],
} satisfies ServiceDescriptor;
