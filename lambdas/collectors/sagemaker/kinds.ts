import {
  DescribeDomainCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeFeatureGroupCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeMonitoringScheduleCommand,
  DescribeNotebookInstanceCommand,
  DescribeNotebookInstanceLifecycleConfigCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { MonitoringJobDefinitionKind } from '../../evidence/resources/sagemaker';
import { SAGEMAKER_KINDS, type SageMakerKind } from '../../services/sagemaker/descriptor';
import { JOB_DEFINITION_APIS } from './job-definitions';
import {
  normaliseDomain,
  normaliseEndpoint,
  normaliseEndpointConfig,
  normaliseFeatureGroup,
  normaliseJobDefinition,
  normaliseLifecycleConfig,
  normaliseModel,
  normaliseModelPackage,
  normaliseMonitoringSchedule,
  normaliseNotebookInstance,
  normaliseProcessingJob,
  normaliseTrainingJob,
} from './normalise';

export interface DescribedResource {
  arn: string;
  configuration: Record<string, unknown>;
}

/**
 * One kind of SageMaker resource: how to describe one by name. The full listing and a
 * single-resource scope both describe through here, so an event re-fetches a resource
 * exactly as the schedule does.
 */
export interface ResourceKind {
  /** The resource type inside a SageMaker ARN ("notebook-instance"). */
  arnType: string;
  /** Evidence resource type ("AWS::SageMaker::NotebookInstance"). */
  type: string;
  describeApi: string;
  /** `arn` is the ARN we expect, used when the answer lacks one. */
  describe(client: SageMakerClient, name: string, arn: string): Promise<DescribedResource>;
}

function kind(described: SageMakerKind, describe: ResourceKind['describe']): ResourceKind {
  return { arnType: described.arnType, type: described.type, describeApi: described.describeApi, describe };
}

const jobDefinitionKind = (definitionKind: MonitoringJobDefinitionKind): ResourceKind => {
  const api = JOB_DEFINITION_APIS[definitionKind];
  return kind(SAGEMAKER_KINDS[definitionKind], async (c, name, arn) => {
    const answer = await api.describe(c, name);
    const resolved = answer.JobDefinitionArn ?? arn;
    return { arn: resolved, configuration: normaliseJobDefinition(definitionKind, answer, resolved) };
  });
};

export const KINDS = {
  notebook: kind(SAGEMAKER_KINDS.notebook, async (c, name, arn) => {
    const a = await c.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }));
    const resolved = a.NotebookInstanceArn ?? arn;
    return { arn: resolved, configuration: normaliseNotebookInstance(a, resolved) };
  }),
  lifecycleConfig: kind(SAGEMAKER_KINDS.lifecycleConfig, async (c, name, arn) => {
    const a = await c.send(new DescribeNotebookInstanceLifecycleConfigCommand({ NotebookInstanceLifecycleConfigName: name }));
    return { arn: a.NotebookInstanceLifecycleConfigArn ?? arn, configuration: normaliseLifecycleConfig(a) };
  }),
  domain: kind(SAGEMAKER_KINDS.domain, async (c, id, arn) => {
    const a = await c.send(new DescribeDomainCommand({ DomainId: id }));
    return { arn: a.DomainArn ?? arn, configuration: normaliseDomain(a) };
  }),
  trainingJob: kind(SAGEMAKER_KINDS.trainingJob, async (c, name, arn) => {
    const a = await c.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    return { arn: a.TrainingJobArn ?? arn, configuration: normaliseTrainingJob(a) };
  }),
  processingJob: kind(SAGEMAKER_KINDS.processingJob, async (c, name, arn) => {
    const a = await c.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
    return { arn: a.ProcessingJobArn ?? arn, configuration: normaliseProcessingJob(a) };
  }),
  model: kind(SAGEMAKER_KINDS.model, async (c, name, arn) => {
    const a = await c.send(new DescribeModelCommand({ ModelName: name }));
    const resolved = a.ModelArn ?? arn;
    return { arn: resolved, configuration: normaliseModel(a, resolved) };
  }),
  endpointConfig: kind(SAGEMAKER_KINDS.endpointConfig, async (c, name, arn) => {
    const a = await c.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }));
    const resolved = a.EndpointConfigArn ?? arn;
    return { arn: resolved, configuration: normaliseEndpointConfig(a, resolved) };
  }),
  endpoint: kind(SAGEMAKER_KINDS.endpoint, async (c, name, arn) => {
    const a = await c.send(new DescribeEndpointCommand({ EndpointName: name }));
    const resolved = a.EndpointArn ?? arn;
    return { arn: resolved, configuration: normaliseEndpoint(a, resolved) };
  }),
  /** Described by ARN: versioned packages have no name of their own. */
  modelPackage: kind(SAGEMAKER_KINDS.modelPackage, async (c, nameOrArn, arn) => {
    const a = await c.send(new DescribeModelPackageCommand({ ModelPackageName: nameOrArn }));
    return { arn: a.ModelPackageArn ?? arn, configuration: normaliseModelPackage(a) };
  }),
  monitoringSchedule: kind(SAGEMAKER_KINDS.monitoringSchedule, async (c, name, arn) => {
    const a = await c.send(new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: name }));
    const resolved = a.MonitoringScheduleArn ?? arn;
    return { arn: resolved, configuration: normaliseMonitoringSchedule(a, resolved) };
  }),
  featureGroup: kind(SAGEMAKER_KINDS.featureGroup, async (c, name, arn) => {
    const a = await c.send(new DescribeFeatureGroupCommand({ FeatureGroupName: name }));
    return { arn: a.FeatureGroupArn ?? arn, configuration: normaliseFeatureGroup(a) };
  }),
  DataQuality: jobDefinitionKind('DataQuality'),
  ModelQuality: jobDefinitionKind('ModelQuality'),
  ModelBias: jobDefinitionKind('ModelBias'),
  ModelExplainability: jobDefinitionKind('ModelExplainability'),
} satisfies Record<string, ResourceKind>;

export type KindName = keyof typeof KINDS;

/** The kind of a SageMaker ARN's resource type, for single-resource scopes. */
export function kindOfArnType(arnType: string): KindName | undefined {
  return (Object.keys(KINDS) as KindName[]).find((name) => KINDS[name].arnType === arnType);
}
