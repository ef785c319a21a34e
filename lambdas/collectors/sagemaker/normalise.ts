import type {
  ContainerDefinition,
  DescribeDomainResponse,
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  DescribeFeatureGroupResponse,
  DescribeModelOutput,
  DescribeModelPackageOutput,
  DescribeMonitoringScheduleResponse,
  DescribeNotebookInstanceLifecycleConfigOutput,
  DescribeNotebookInstanceOutput,
  DescribeProcessingJobResponse,
  DescribeTrainingJobResponse,
  NotebookInstanceLifecycleHook,
  VpcConfig,
} from '@aws-sdk/client-sagemaker';
import { findCredentialEntries } from '../../evidence/credential-entries';
import { redactSecrets, redactValues, scanBase64ScriptForCredentials } from '../../evidence/redact';
import type { ResourceReferences } from '../../evidence/resources/references';
import {
  type MonitoringJobDefinitionKind,
  modelPackageArnOf,
  type SmDomain,
  type SmEndpoint,
  type SmEndpointConfig,
  type SmFeatureGroup,
  type SmModel,
  type SmModelContainer,
  type SmModelPackage,
  type SmMonitoringJobDefinition,
  type SmMonitoringSchedule,
  type SmNotebookInstance,
  type SmNotebookLifecycleConfig,
  type SmProcessingJob,
  type SmTrainingJob,
  type SmVpcConfig,
  sageMakerSiblingArn,
} from '../../evidence/resources/sagemaker';
import { SAGEMAKER_KINDS } from '../../services/sagemaker/descriptor';

/**
 * Pure translations from SageMaker describe answers to the normalised schemas of
 * evidence/resources/sagemaker.ts. Every result goes through redactSecrets as a second line
 * of defence behind the explicit redaction of environment and hyper-parameter maps.
 */

function references(parts: {
  s3Uris?: (string | undefined)[];
  kmsKeys?: (string | undefined)[];
  resources?: (string | undefined)[];
  images?: (string | undefined)[];
}): ResourceReferences {
  const present = (values: (string | undefined)[] = []) =>
    [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))].sort();
  return {
    s3Uris: present(parts.s3Uris),
    kmsKeys: present(parts.kmsKeys),
    resources: present(parts.resources),
    ...(parts.images ? { images: present(parts.images) } : {}),
  };
}

const orNull = <T>(value: T | undefined): T | null => value ?? null;

function vpcConfig(config: VpcConfig | undefined): SmVpcConfig | null {
  if (!config) return null;
  return { subnets: config.Subnets ?? [], securityGroupIds: config.SecurityGroupIds ?? [] };
}

export function normaliseNotebookInstance(answer: DescribeNotebookInstanceOutput, arn: string): SmNotebookInstance {
  const lifecycle = answer.NotebookInstanceLifecycleConfigName;
  return redactSecrets({
    name: answer.NotebookInstanceName ?? '',
    status: orNull(answer.NotebookInstanceStatus),
    kmsKeyId: orNull(answer.KmsKeyId),
    directInternetAccess: orNull(answer.DirectInternetAccess),
    subnetId: orNull(answer.SubnetId),
    rootAccess: orNull(answer.RootAccess),
    platformIdentifier: orNull(answer.PlatformIdentifier),
    lifecycleConfigName: orNull(lifecycle),
    roleArn: orNull(answer.RoleArn),
    references: references({
      kmsKeys: [answer.KmsKeyId],
      resources: [lifecycle ? sageMakerSiblingArn(arn, 'notebook-instance-lifecycle-config', lifecycle) : undefined],
    }),
  });
}

/** Decodes each base64 script, keeps only the names of the credential patterns found in it. */
export function normaliseLifecycleConfig(answer: DescribeNotebookInstanceLifecycleConfigOutput): SmNotebookLifecycleConfig {
  const scan = (hook: 'OnCreate' | 'OnStart', scripts: NotebookInstanceLifecycleHook[] | undefined) =>
    (scripts ?? []).map((script) => ({
      hook,
      credentialPatterns: scanBase64ScriptForCredentials(script.Content ?? ''),
    }));
  return {
    name: answer.NotebookInstanceLifecycleConfigName ?? '',
    scripts: [...scan('OnCreate', answer.OnCreate), ...scan('OnStart', answer.OnStart)],
    references: references({}),
  };
}

export function normaliseDomain(answer: DescribeDomainResponse): SmDomain {
  const sharing = answer.DefaultUserSettings?.SharingSettings;
  return redactSecrets({
    id: answer.DomainId ?? '',
    name: orNull(answer.DomainName),
    status: orNull(answer.Status),
    kmsKeyId: orNull(answer.KmsKeyId),
    appNetworkAccessType: orNull(answer.AppNetworkAccessType),
    vpcId: orNull(answer.VpcId),
    subnetIds: answer.SubnetIds ?? [],
    executionRoleArn: orNull(answer.DefaultUserSettings?.ExecutionRole),
    references: references({ s3Uris: [sharing?.S3OutputPath], kmsKeys: [answer.KmsKeyId, sharing?.S3KmsKeyId] }),
  });
}

export function normaliseTrainingJob(answer: DescribeTrainingJobResponse): SmTrainingJob {
  const resources = answer.ResourceConfig;
  const groupInstances = (resources?.InstanceGroups ?? []).reduce((sum, group) => sum + (group.InstanceCount ?? 0), 0);
  const output = answer.OutputDataConfig;
  const artifact = answer.ModelArtifacts?.S3ModelArtifacts;
  return redactSecrets({
    name: answer.TrainingJobName ?? '',
    status: orNull(answer.TrainingJobStatus),
    creationTime: answer.CreationTime?.toISOString() ?? null,
    instanceCount: (resources?.InstanceCount ?? 0) + groupInstances,
    volumeKmsKeyId: orNull(resources?.VolumeKmsKeyId),
    outputKmsKeyId: orNull(output?.KmsKeyId),
    enableInterContainerTrafficEncryption: answer.EnableInterContainerTrafficEncryption === true,
    enableNetworkIsolation: answer.EnableNetworkIsolation === true,
    vpcConfig: vpcConfig(answer.VpcConfig),
    roleArn: orNull(answer.RoleArn),
    environment: redactValues(answer.Environment),
    outputS3Path: orNull(output?.S3OutputPath),
    modelArtifactS3Uri: orNull(artifact),
    hyperParameters: redactValues(answer.HyperParameters),
    // Scanned here, on the raw values, because redaction is about to drop them.
    flaggedEntries: [
      ...findCredentialEntries('hyperParameters', answer.HyperParameters),
      ...findCredentialEntries('environment', answer.Environment),
    ],
    references: references({
      s3Uris: [
        ...(answer.InputDataConfig ?? []).map((channel) => channel.DataSource?.S3DataSource?.S3Uri),
        output?.S3OutputPath,
        artifact,
        answer.CheckpointConfig?.S3Uri,
      ],
      kmsKeys: [resources?.VolumeKmsKeyId, output?.KmsKeyId],
      images: [answer.AlgorithmSpecification?.TrainingImage],
    }),
  });
}

export function normaliseProcessingJob(answer: DescribeProcessingJobResponse): SmProcessingJob {
  const cluster = answer.ProcessingResources?.ClusterConfig;
  const output = answer.ProcessingOutputConfig;
  const network = answer.NetworkConfig;
  return redactSecrets({
    name: answer.ProcessingJobName ?? '',
    status: orNull(answer.ProcessingJobStatus),
    creationTime: answer.CreationTime?.toISOString() ?? null,
    instanceCount: cluster?.InstanceCount ?? 0,
    volumeKmsKeyId: orNull(cluster?.VolumeKmsKeyId),
    outputKmsKeyId: orNull(output?.KmsKeyId),
    enableInterContainerTrafficEncryption: network?.EnableInterContainerTrafficEncryption === true,
    enableNetworkIsolation: network?.EnableNetworkIsolation === true,
    vpcConfig: vpcConfig(network?.VpcConfig),
    roleArn: orNull(answer.RoleArn),
    environment: redactValues(answer.Environment),
    references: references({
      s3Uris: [
        ...(answer.ProcessingInputs ?? []).map((input) => input.S3Input?.S3Uri),
        ...(output?.Outputs ?? []).map((out) => out.S3Output?.S3Uri),
      ],
      kmsKeys: [cluster?.VolumeKmsKeyId, output?.KmsKeyId],
      images: [answer.AppSpecification?.ImageUri],
    }),
  });
}

function normaliseContainer(container: ContainerDefinition): SmModelContainer {
  return {
    image: orNull(container.Image),
    repositoryAccessMode: orNull(container.ImageConfig?.RepositoryAccessMode),
    modelDataUrl: orNull(container.ModelDataUrl ?? container.ModelDataSource?.S3DataSource?.S3Uri),
    modelPackageName: orNull(container.ModelPackageName),
    environment: redactValues(container.Environment),
  };
}

export function normaliseModel(answer: DescribeModelOutput, arn: string): SmModel {
  const raw = [...(answer.PrimaryContainer ? [answer.PrimaryContainer] : []), ...(answer.Containers ?? [])];
  const containers = raw.map(normaliseContainer);
  return redactSecrets({
    name: answer.ModelName ?? '',
    containers,
    enableNetworkIsolation: answer.EnableNetworkIsolation === true,
    vpcConfig: vpcConfig(answer.VpcConfig),
    executionRoleArn: orNull(answer.ExecutionRoleArn),
    // Scanned here, on the raw values, because redaction is about to drop them.
    flaggedEntries: raw.flatMap((container, index) =>
      findCredentialEntries(`containers[${index}].environment`, container.Environment),
    ),
    references: references({
      s3Uris: containers.map((c) => c.modelDataUrl ?? undefined),
      resources: containers.map((c) => (c.modelPackageName ? modelPackageArnOf(arn, c.modelPackageName) : undefined)),
      images: containers.map((c) => c.image ?? undefined),
    }),
  });
}

export function normaliseEndpointConfig(answer: DescribeEndpointConfigOutput, arn: string): SmEndpointConfig {
  const capture = answer.DataCaptureConfig;
  const variants = (answer.ProductionVariants ?? []).map((variant) => ({
    name: variant.VariantName ?? '',
    modelName: orNull(variant.ModelName),
    instanceType: orNull(variant.InstanceType),
    initialInstanceCount: orNull(variant.InitialInstanceCount),
    serverless: variant.ServerlessConfig !== undefined,
  }));
  return redactSecrets({
    name: answer.EndpointConfigName ?? '',
    kmsKeyId: orNull(answer.KmsKeyId),
    variants,
    dataCapture: capture
      ? {
          enabled: capture.EnableCapture !== false,
          destinationS3Uri: orNull(capture.DestinationS3Uri),
          kmsKeyId: orNull(capture.KmsKeyId),
        }
      : null,
    references: references({
      s3Uris: [capture?.DestinationS3Uri],
      kmsKeys: [answer.KmsKeyId, capture?.KmsKeyId],
      resources: variants.map((v) => (v.modelName ? sageMakerSiblingArn(arn, 'model', v.modelName) : undefined)),
    }),
  });
}

/** The endpoint without its alarms and scaling, which come from region-wide listings. */
export function normaliseEndpoint(answer: DescribeEndpointOutput, arn: string): SmEndpoint {
  const capture = answer.DataCaptureConfig;
  const rollback = answer.LastDeploymentConfig?.AutoRollbackConfiguration;
  return redactSecrets({
    name: answer.EndpointName ?? '',
    status: orNull(answer.EndpointStatus),
    endpointConfigName: orNull(answer.EndpointConfigName),
    variants: (answer.ProductionVariants ?? []).map((variant) => ({
      name: variant.VariantName ?? '',
      currentInstanceCount: orNull(variant.CurrentInstanceCount),
      desiredInstanceCount: orNull(variant.DesiredInstanceCount),
      serverless: variant.CurrentServerlessConfig !== undefined || variant.DesiredServerlessConfig !== undefined,
    })),
    dataCaptureEnabled: capture?.EnableCapture === true,
    autoRollbackAlarms: rollback ? (rollback.Alarms ?? []).map((alarm) => alarm.AlarmName ?? '') : null,
    references: references({
      s3Uris: [capture?.DestinationS3Uri],
      kmsKeys: [capture?.KmsKeyId],
      resources: [answer.EndpointConfigName ? sageMakerSiblingArn(arn, 'endpoint-config', answer.EndpointConfigName) : undefined],
    }),
  });
}

const MODEL_METRIC_SECTIONS = ['ModelQuality', 'ModelDataQuality', 'Bias', 'Explainability'] as const;

export function normaliseModelPackage(answer: DescribeModelPackageOutput): SmModelPackage {
  const metrics = answer.ModelMetrics ?? {};
  const containers = answer.InferenceSpecification?.Containers ?? [];
  return redactSecrets({
    name: answer.ModelPackageName ?? '',
    groupName: orNull(answer.ModelPackageGroupName),
    version: orNull(answer.ModelPackageVersion),
    approvalStatus: orNull(answer.ModelApprovalStatus),
    metrics: MODEL_METRIC_SECTIONS.filter((section) => {
      const value = metrics[section];
      return value !== undefined && Object.keys(value).length > 0;
    }),
    references: references({ s3Uris: containers.map((c) => c.ModelDataUrl) }),
  });
}

/** The SageMaker ARN resource type of each kind of monitoring job definition. */

/** Schedules name the kind by MonitoringType; DataQuality is the API's default. */
const MONITORING_TYPE_KINDS: Record<string, MonitoringJobDefinitionKind> = {
  DataQuality: 'DataQuality',
  ModelQuality: 'ModelQuality',
  ModelBias: 'ModelBias',
  ModelExplainability: 'ModelExplainability',
};

export function normaliseMonitoringSchedule(answer: DescribeMonitoringScheduleResponse, arn: string): SmMonitoringSchedule {
  const config = answer.MonitoringScheduleConfig;
  const inline = config?.MonitoringJobDefinition;
  const monitoringType = answer.MonitoringType ?? config?.MonitoringType;
  const definitionName = config?.MonitoringJobDefinitionName;
  const kind = MONITORING_TYPE_KINDS[monitoringType ?? 'DataQuality'] ?? 'DataQuality';
  return redactSecrets({
    name: answer.MonitoringScheduleName ?? '',
    status: orNull(answer.MonitoringScheduleStatus),
    monitoringType: orNull(monitoringType),
    endpointName: orNull(answer.EndpointName),
    jobDefinitionName: orNull(definitionName),
    inlineJobDefinition: inline
      ? {
          enableNetworkIsolation: inline.NetworkConfig?.EnableNetworkIsolation === true,
          enableInterContainerTrafficEncryption: inline.NetworkConfig?.EnableInterContainerTrafficEncryption === true,
          environment: redactValues(inline.Environment),
        }
      : null,
    references: references({
      s3Uris: (inline?.MonitoringOutputConfig?.MonitoringOutputs ?? []).map((o) => o.S3Output?.S3Uri),
      kmsKeys: [inline?.MonitoringOutputConfig?.KmsKeyId, inline?.MonitoringResources?.ClusterConfig?.VolumeKmsKeyId],
      resources: [
        answer.EndpointName ? sageMakerSiblingArn(arn, 'endpoint', answer.EndpointName) : undefined,
        definitionName ? sageMakerSiblingArn(arn, SAGEMAKER_KINDS[kind].arnType, definitionName) : undefined,
      ],
    }),
  });
}

/**
 * The fields the four Describe*JobDefinition answers share once their kind prefix
 * (DataQuality, ModelQuality, ModelBias, ModelExplainability) is taken off.
 */
export interface JobDefinitionAnswer {
  JobDefinitionName?: string;
  environment?: Record<string, string>;
  endpointName?: string;
  outputKmsKeyId?: string;
  outputS3Uris: (string | undefined)[];
  volumeKmsKeyId?: string;
  NetworkConfig?: { EnableNetworkIsolation?: boolean; EnableInterContainerTrafficEncryption?: boolean };
}

export function normaliseJobDefinition(
  kind: MonitoringJobDefinitionKind,
  answer: JobDefinitionAnswer,
  arn: string,
): SmMonitoringJobDefinition {
  return redactSecrets({
    name: answer.JobDefinitionName ?? '',
    kind,
    endpointName: orNull(answer.endpointName),
    enableNetworkIsolation: answer.NetworkConfig?.EnableNetworkIsolation === true,
    enableInterContainerTrafficEncryption: answer.NetworkConfig?.EnableInterContainerTrafficEncryption === true,
    environment: redactValues(answer.environment),
    references: references({
      s3Uris: answer.outputS3Uris,
      kmsKeys: [answer.outputKmsKeyId, answer.volumeKmsKeyId],
      resources: [answer.endpointName ? sageMakerSiblingArn(arn, 'endpoint', answer.endpointName) : undefined],
    }),
  });
}

export function normaliseFeatureGroup(answer: DescribeFeatureGroupResponse): SmFeatureGroup {
  const offline = answer.OfflineStoreConfig?.S3StorageConfig;
  const online = answer.OnlineStoreConfig;
  return redactSecrets({
    name: answer.FeatureGroupName ?? '',
    status: orNull(answer.FeatureGroupStatus),
    offlineStore: answer.OfflineStoreConfig
      ? { s3Uri: orNull(offline?.ResolvedOutputS3Uri ?? offline?.S3Uri), kmsKeyId: orNull(offline?.KmsKeyId) }
      : null,
    onlineStore: online
      ? { enabled: online.EnableOnlineStore === true, kmsKeyId: orNull(online.SecurityConfig?.KmsKeyId) }
      : null,
    references: references({
      s3Uris: [offline?.S3Uri, offline?.ResolvedOutputS3Uri],
      kmsKeys: [offline?.KmsKeyId, online?.SecurityConfig?.KmsKeyId],
    }),
  });
}
