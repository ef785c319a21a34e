import {
  DescribeDataQualityJobDefinitionCommand,
  DescribeModelBiasJobDefinitionCommand,
  DescribeModelExplainabilityJobDefinitionCommand,
  DescribeModelQualityJobDefinitionCommand,
  type EndpointInput,
  type MonitoringOutputConfig,
  type MonitoringResources,
  paginateListDataQualityJobDefinitions,
  paginateListModelBiasJobDefinitions,
  paginateListModelExplainabilityJobDefinitions,
  paginateListModelQualityJobDefinitions,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { MonitoringJobDefinitionKind } from '../../evidence/resources/sagemaker';
import { sageMakerService } from '../../services/sagemaker/descriptor';
import type { JobDefinitionAnswer } from './normalise';

/** What the four job-definition APIs have in common, told apart only by their field prefixes. */
interface JobDefinitionApi {
  listApi: string;
  describeApi: string;
  list(client: SageMakerClient): AsyncIterable<{ JobDefinitionSummaries?: { MonitoringJobDefinitionName?: string }[] }>;
  describe(client: SageMakerClient, name: string): Promise<JobDefinitionAnswer & { JobDefinitionArn?: string }>;
}

interface PrefixedParts {
  JobDefinitionArn?: string;
  JobDefinitionName?: string;
  NetworkConfig?: JobDefinitionAnswer['NetworkConfig'];
  JobResources?: MonitoringResources;
  appSpecification?: { Environment?: Record<string, string> };
  jobInput?: { EndpointInput?: EndpointInput };
  outputConfig?: MonitoringOutputConfig;
}

function unprefix(parts: PrefixedParts): JobDefinitionAnswer & { JobDefinitionArn?: string } {
  return {
    JobDefinitionArn: parts.JobDefinitionArn,
    JobDefinitionName: parts.JobDefinitionName,
    NetworkConfig: parts.NetworkConfig,
    environment: parts.appSpecification?.Environment,
    endpointName: parts.jobInput?.EndpointInput?.EndpointName,
    outputKmsKeyId: parts.outputConfig?.KmsKeyId,
    outputS3Uris: (parts.outputConfig?.MonitoringOutputs ?? []).map((o) => o.S3Output?.S3Uri),
    volumeKmsKeyId: parts.JobResources?.ClusterConfig?.VolumeKmsKeyId,
  };
}

export const JOB_DEFINITION_APIS: Record<MonitoringJobDefinitionKind, JobDefinitionApi> = {
  DataQuality: {
    listApi: 'ListDataQualityJobDefinitions',
    describeApi: 'DescribeDataQualityJobDefinition',
    list: (client) => paginateListDataQualityJobDefinitions({ client, pageSize: sageMakerService.pageSizes.listings }, {}),
    describe: async (client, name) => {
      const a = await client.send(new DescribeDataQualityJobDefinitionCommand({ JobDefinitionName: name }));
      return unprefix({
        ...a,
        appSpecification: a.DataQualityAppSpecification,
        jobInput: a.DataQualityJobInput,
        outputConfig: a.DataQualityJobOutputConfig,
      });
    },
  },
  ModelQuality: {
    listApi: 'ListModelQualityJobDefinitions',
    describeApi: 'DescribeModelQualityJobDefinition',
    list: (client) => paginateListModelQualityJobDefinitions({ client, pageSize: sageMakerService.pageSizes.listings }, {}),
    describe: async (client, name) => {
      const a = await client.send(new DescribeModelQualityJobDefinitionCommand({ JobDefinitionName: name }));
      return unprefix({
        ...a,
        appSpecification: a.ModelQualityAppSpecification,
        jobInput: a.ModelQualityJobInput,
        outputConfig: a.ModelQualityJobOutputConfig,
      });
    },
  },
  ModelBias: {
    listApi: 'ListModelBiasJobDefinitions',
    describeApi: 'DescribeModelBiasJobDefinition',
    list: (client) => paginateListModelBiasJobDefinitions({ client, pageSize: sageMakerService.pageSizes.listings }, {}),
    describe: async (client, name) => {
      const a = await client.send(new DescribeModelBiasJobDefinitionCommand({ JobDefinitionName: name }));
      return unprefix({
        ...a,
        appSpecification: a.ModelBiasAppSpecification,
        jobInput: a.ModelBiasJobInput,
        outputConfig: a.ModelBiasJobOutputConfig,
      });
    },
  },
  ModelExplainability: {
    listApi: 'ListModelExplainabilityJobDefinitions',
    describeApi: 'DescribeModelExplainabilityJobDefinition',
    list: (client) =>
      paginateListModelExplainabilityJobDefinitions({ client, pageSize: sageMakerService.pageSizes.listings }, {}),
    describe: async (client, name) => {
      const a = await client.send(new DescribeModelExplainabilityJobDefinitionCommand({ JobDefinitionName: name }));
      return unprefix({
        ...a,
        appSpecification: a.ModelExplainabilityAppSpecification,
        jobInput: a.ModelExplainabilityJobInput,
        outputConfig: a.ModelExplainabilityJobOutputConfig,
      });
    },
  },
};
