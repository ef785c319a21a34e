import { z } from 'zod';
import { resourceReferencesSchema } from './references';

/**
 * Normalised SageMaker configuration (with the CloudWatch alarms and Application Auto Scaling
 * of endpoints). A resource is recorded only when its describe call succeeded, so its own
 * fields are always present: null means AWS reported the setting unset (a fact). Fields
 * gathered by a separate call (an endpoint's alarms and scaling, a notebook's lifecycle
 * scripts) are absent when that call failed, and the failure is in the record's errors.
 * Environment and hyper-parameter maps keep their keys only (values are '[REDACTED]').
 */
export const SM_NOTEBOOK_INSTANCE_TYPE = 'AWS::SageMaker::NotebookInstance';
export const SM_NOTEBOOK_LIFECYCLE_CONFIG_TYPE = 'AWS::SageMaker::NotebookInstanceLifecycleConfig';
export const SM_DOMAIN_TYPE = 'AWS::SageMaker::Domain';
export const SM_TRAINING_JOB_TYPE = 'AWS::SageMaker::TrainingJob';
export const SM_PROCESSING_JOB_TYPE = 'AWS::SageMaker::ProcessingJob';
export const SM_MODEL_TYPE = 'AWS::SageMaker::Model';
export const SM_ENDPOINT_CONFIG_TYPE = 'AWS::SageMaker::EndpointConfig';
export const SM_ENDPOINT_TYPE = 'AWS::SageMaker::Endpoint';
export const SM_MODEL_PACKAGE_TYPE = 'AWS::SageMaker::ModelPackage';
export const SM_MONITORING_SCHEDULE_TYPE = 'AWS::SageMaker::MonitoringSchedule';
/** One type for the four kinds of monitoring job definition; `kind` tells them apart. */
export const SM_MONITORING_JOB_DEFINITION_TYPE = 'AWS::SageMaker::MonitoringJobDefinition';
export const SM_FEATURE_GROUP_TYPE = 'AWS::SageMaker::FeatureGroup';

const redactedMap = z.record(z.string(), z.string());
/**
 * Map entries that held a credential when collected (see evidence/credential-entries.ts): the
 * map, the key and the rule that matched, never the value. Absent in evidence recorded before
 * revision 2 scanned for them.
 */
const flaggedEntriesSchema = z.array(z.object({ source: z.string(), key: z.string(), rule: z.string() })).optional();
const vpcConfigSchema = z.object({ subnets: z.array(z.string()), securityGroupIds: z.array(z.string()) });
export type SmVpcConfig = z.infer<typeof vpcConfigSchema>;

export const notebookInstanceSchema = z.object({
  name: z.string(),
  status: z.string().nullable(),
  kmsKeyId: z.string().nullable(),
  directInternetAccess: z.string().nullable(),
  subnetId: z.string().nullable(),
  rootAccess: z.string().nullable(),
  platformIdentifier: z.string().nullable(),
  lifecycleConfigName: z.string().nullable(),
  roleArn: z.string().nullable(),
  references: resourceReferencesSchema,
});
export type SmNotebookInstance = z.infer<typeof notebookInstanceSchema>;

export const lifecycleScriptHooks = ['OnCreate', 'OnStart'] as const;
export const notebookLifecycleConfigSchema = z.object({
  name: z.string(),
  /** Per script: the names of the credential patterns found in it. The script itself is never stored. */
  scripts: z.array(z.object({ hook: z.enum(lifecycleScriptHooks), credentialPatterns: z.array(z.string()) })),
  references: resourceReferencesSchema,
});
export type SmNotebookLifecycleConfig = z.infer<typeof notebookLifecycleConfigSchema>;

export const domainSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  status: z.string().nullable(),
  kmsKeyId: z.string().nullable(),
  appNetworkAccessType: z.string().nullable(),
  vpcId: z.string().nullable(),
  subnetIds: z.array(z.string()),
  executionRoleArn: z.string().nullable(),
  references: resourceReferencesSchema,
});
export type SmDomain = z.infer<typeof domainSchema>;

const jobCommon = {
  name: z.string(),
  status: z.string().nullable(),
  creationTime: z.string().nullable(),
  /** Instances across all instance groups. */
  instanceCount: z.number(),
  volumeKmsKeyId: z.string().nullable(),
  outputKmsKeyId: z.string().nullable(),
  enableInterContainerTrafficEncryption: z.boolean(),
  enableNetworkIsolation: z.boolean(),
  vpcConfig: vpcConfigSchema.nullable(),
  roleArn: z.string().nullable(),
  environment: redactedMap,
  references: resourceReferencesSchema,
};

export const trainingJobSchema = z.object({
  ...jobCommon,
  outputS3Path: z.string().nullable(),
  modelArtifactS3Uri: z.string().nullable(),
  hyperParameters: redactedMap,
  /** Hyper-parameters and environment entries holding a credential. */
  flaggedEntries: flaggedEntriesSchema,
});
export type SmTrainingJob = z.infer<typeof trainingJobSchema>;

export const processingJobSchema = z.object(jobCommon);
export type SmProcessingJob = z.infer<typeof processingJobSchema>;

export const modelContainerSchema = z.object({
  image: z.string().nullable(),
  /** ImageConfig.RepositoryAccessMode; null when unset, which SageMaker treats as Platform. */
  repositoryAccessMode: z.string().nullable(),
  modelDataUrl: z.string().nullable(),
  modelPackageName: z.string().nullable(),
  environment: redactedMap,
});
export type SmModelContainer = z.infer<typeof modelContainerSchema>;

export const modelSchema = z.object({
  name: z.string(),
  containers: z.array(modelContainerSchema),
  enableNetworkIsolation: z.boolean(),
  vpcConfig: vpcConfigSchema.nullable(),
  executionRoleArn: z.string().nullable(),
  /** Container environment entries holding a credential. */
  flaggedEntries: flaggedEntriesSchema,
  references: resourceReferencesSchema,
});
export type SmModel = z.infer<typeof modelSchema>;

const dataCaptureSchema = z.object({
  enabled: z.boolean(),
  destinationS3Uri: z.string().nullable(),
  kmsKeyId: z.string().nullable(),
});

export const endpointConfigSchema = z.object({
  name: z.string(),
  kmsKeyId: z.string().nullable(),
  variants: z.array(
    z.object({
      name: z.string(),
      modelName: z.string().nullable(),
      instanceType: z.string().nullable(),
      initialInstanceCount: z.number().nullable(),
      serverless: z.boolean(),
    }),
  ),
  dataCapture: dataCaptureSchema.nullable(),
  references: resourceReferencesSchema,
});
export type SmEndpointConfig = z.infer<typeof endpointConfigSchema>;

export const endpointAlarmSchema = z.object({
  name: z.string(),
  arn: z.string().nullable(),
  namespace: z.string().nullable(),
  /** Metrics the alarm watches, including those inside metric-math queries. */
  metricNames: z.array(z.string()),
  actionsEnabled: z.boolean(),
  alarmActions: z.array(z.string()),
});
export type SmEndpointAlarm = z.infer<typeof endpointAlarmSchema>;

export const endpointVariantSchema = z.object({
  name: z.string(),
  currentInstanceCount: z.number().nullable(),
  desiredInstanceCount: z.number().nullable(),
  serverless: z.boolean(),
  /** Absent when the scaling listing failed; null when the variant is not a scalable target. */
  autoScaling: z
    .object({ minCapacity: z.number().nullable(), maxCapacity: z.number().nullable(), policies: z.array(z.string()) })
    .nullable()
    .optional(),
});
export type SmEndpointVariant = z.infer<typeof endpointVariantSchema>;

export const endpointSchema = z.object({
  name: z.string(),
  status: z.string().nullable(),
  endpointConfigName: z.string().nullable(),
  variants: z.array(endpointVariantSchema),
  dataCaptureEnabled: z.boolean(),
  /** Alarm names of the last deployment's auto-rollback configuration; null without one. */
  autoRollbackAlarms: z.array(z.string()).nullable(),
  /** Alarms whose dimensions name the endpoint; absent when DescribeAlarms failed. */
  alarms: z.array(endpointAlarmSchema).optional(),
  references: resourceReferencesSchema,
});
export type SmEndpoint = z.infer<typeof endpointSchema>;

export const modelPackageSchema = z.object({
  name: z.string(),
  groupName: z.string().nullable(),
  version: z.number().nullable(),
  approvalStatus: z.string().nullable(),
  /** Which ModelMetrics sections are attached (ModelQuality, ModelDataQuality, Bias, Explainability). */
  metrics: z.array(z.string()),
  references: resourceReferencesSchema,
});
export type SmModelPackage = z.infer<typeof modelPackageSchema>;

const networkSettingsSchema = z.object({
  enableNetworkIsolation: z.boolean(),
  enableInterContainerTrafficEncryption: z.boolean(),
});

export const monitoringScheduleSchema = z.object({
  name: z.string(),
  status: z.string().nullable(),
  monitoringType: z.string().nullable(),
  endpointName: z.string().nullable(),
  /** Set when the schedule runs a named job definition (recorded as its own resource). */
  jobDefinitionName: z.string().nullable(),
  /** Set when the schedule carries its job definition inline. */
  inlineJobDefinition: networkSettingsSchema.extend({ environment: redactedMap }).nullable(),
  references: resourceReferencesSchema,
});
export type SmMonitoringSchedule = z.infer<typeof monitoringScheduleSchema>;

export const monitoringJobDefinitionKinds = ['DataQuality', 'ModelQuality', 'ModelBias', 'ModelExplainability'] as const;
export type MonitoringJobDefinitionKind = (typeof monitoringJobDefinitionKinds)[number];

export const monitoringJobDefinitionSchema = networkSettingsSchema.extend({
  name: z.string(),
  kind: z.enum(monitoringJobDefinitionKinds),
  endpointName: z.string().nullable(),
  environment: redactedMap,
  references: resourceReferencesSchema,
});
export type SmMonitoringJobDefinition = z.infer<typeof monitoringJobDefinitionSchema>;

export const featureGroupSchema = z.object({
  name: z.string(),
  status: z.string().nullable(),
  offlineStore: z.object({ s3Uri: z.string().nullable(), kmsKeyId: z.string().nullable() }).nullable(),
  onlineStore: z.object({ enabled: z.boolean(), kmsKeyId: z.string().nullable() }).nullable(),
  references: resourceReferencesSchema,
});
export type SmFeatureGroup = z.infer<typeof featureGroupSchema>;

/** ARN of another SageMaker resource in the same partition, region and account as `arn`. */
export function sageMakerSiblingArn(arn: string, resourceType: string, name: string): string {
  const [prefix, partition, service, region, account] = arn.split(':');
  return [prefix, partition, service, region, account, `${resourceType}/${name.toLowerCase()}`].join(':');
}

/** A model package named in a model container, as an ARN (containers may give a bare name). */
export function modelPackageArnOf(modelArn: string, modelPackageName: string): string {
  return modelPackageName.startsWith('arn:')
    ? modelPackageName
    : sageMakerSiblingArn(modelArn, 'model-package', modelPackageName);
}

/** Splits a SageMaker ARN into its resource type and name ("model-package", "group/3"). */
export function parseSageMakerArn(arn: string): { resourceType: string; name: string } | undefined {
  const match = /^arn:aws[a-z-]*:sagemaker:[^:]*:\d{12}:([a-z-]+)\/(.+)$/.exec(arn);
  if (!match) return undefined;
  return { resourceType: match[1]!, name: match[2]! };
}
