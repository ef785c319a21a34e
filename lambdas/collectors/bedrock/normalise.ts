import type {
  GetCustomModelResponse,
  GetGuardrailResponse,
  GetModelCustomizationJobResponse,
  LoggingConfig,
  ProvisionedModelSummary,
} from '@aws-sdk/client-bedrock';
import type { DataSource, GetAgentResponse, KnowledgeBase } from '@aws-sdk/client-bedrock-agent';
import type {
  BedrockAgent,
  BedrockCustomizationJob,
  BedrockCustomModel,
  BedrockGuardrail,
  BedrockKnowledgeBase,
  BedrockLogging,
  BedrockProvisionedThroughput,
} from '../../evidence/resources/bedrock';
import type { ResourceReferences } from '../../evidence/resources/references';
import { iso } from '../pages';

/**
 * Pure translations from Bedrock and Bedrock Agents answers (shapes of the API reference, as
 * modelled by the SDK) to the normalised schemas of evidence/resources/bedrock.ts.
 */

const present = (values: (string | undefined | null)[]): string[] =>
  [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))].sort();
const refs = (parts: { s3Uris?: (string | undefined)[]; kmsKeys?: (string | undefined)[]; resources?: (string | undefined)[] }) =>
  ({
    s3Uris: present(parts.s3Uris ?? []),
    kmsKeys: present(parts.kmsKeys ?? []),
    resources: present(parts.resources ?? []),
  }) satisfies ResourceReferences;

/** Where the invocation-logging setting is recorded: the account, in the record's region. */
export const accountRoot = (account: string) => `arn:aws:iam::${account}:root`;

export function normaliseLogging(config: LoggingConfig | undefined): BedrockLogging {
  const s3 = config?.s3Config;
  const cloudWatch = config?.cloudWatchConfig;
  const large = cloudWatch?.largeDataDeliveryS3Config;
  return {
    configured: config !== undefined && (s3?.bucketName !== undefined || cloudWatch?.logGroupName !== undefined),
    s3BucketName: s3?.bucketName ?? null,
    s3KeyPrefix: s3?.keyPrefix ?? null,
    cloudWatchLogGroupName: cloudWatch?.logGroupName ?? null,
    cloudWatchRoleArn: cloudWatch?.roleArn ?? null,
    textDataDeliveryEnabled: config?.textDataDeliveryEnabled === true,
    imageDataDeliveryEnabled: config?.imageDataDeliveryEnabled === true,
    embeddingDataDeliveryEnabled: config?.embeddingDataDeliveryEnabled === true,
    // The log bucket holds prompts and completions: it is ML data.
    references: refs({
      s3Uris: [
        s3?.bucketName ? `s3://${s3.bucketName}/${s3.keyPrefix ?? ''}` : undefined,
        large?.bucketName && `s3://${large.bucketName}/`,
      ],
      resources: [cloudWatch?.roleArn],
    }),
  };
}

export function normaliseCustomModel(answer: GetCustomModelResponse): BedrockCustomModel {
  const training = answer.trainingDataConfig?.s3Uri;
  const output = answer.outputDataConfig?.s3Uri;
  return {
    name: answer.modelName ?? '',
    creationTime: iso(answer.creationTime) ?? null,
    baseModelArn: answer.baseModelArn ?? null,
    customizationType: answer.customizationType ?? null,
    kmsKeyArn: answer.modelKmsKeyArn ?? null,
    jobArn: answer.jobArn ?? null,
    trainingDataS3Uri: training ?? null,
    outputS3Uri: output ?? null,
    references: refs({ s3Uris: [training, output], kmsKeys: [answer.modelKmsKeyArn], resources: [answer.jobArn] }),
  };
}

export function normaliseCustomizationJob(answer: GetModelCustomizationJobResponse): BedrockCustomizationJob {
  const training = answer.trainingDataConfig?.s3Uri;
  const validation = (answer.validationDataConfig?.validators ?? []).map((v) => v.s3Uri).filter((u): u is string => !!u);
  const output = answer.outputDataConfig?.s3Uri;
  const vpc = answer.vpcConfig;
  return {
    name: answer.jobName ?? '',
    status: answer.status ?? null,
    creationTime: iso(answer.creationTime) ?? null,
    baseModelArn: answer.baseModelArn ?? null,
    outputModelArn: answer.outputModelArn ?? null,
    roleArn: answer.roleArn ?? null,
    outputModelKmsKeyArn: answer.outputModelKmsKeyArn ?? null,
    vpcConfig: vpc ? { subnetIds: vpc.subnetIds ?? [], securityGroupIds: vpc.securityGroupIds ?? [] } : null,
    trainingDataS3Uri: training ?? null,
    validationDataS3Uris: validation,
    outputS3Uri: output ?? null,
    // Training, validation and output locations are ML buckets, like a SageMaker job's channels.
    references: refs({
      s3Uris: [training, ...validation, output],
      kmsKeys: [answer.outputModelKmsKeyArn],
      resources: [answer.roleArn],
    }),
  };
}

export function normaliseGuardrail(answer: GetGuardrailResponse): BedrockGuardrail {
  return {
    name: answer.name ?? '',
    id: answer.guardrailId ?? '',
    version: answer.version ?? null,
    status: answer.status ?? null,
    contentFilters: (answer.contentPolicy?.filters ?? []).map((f) => ({
      type: f.type ?? 'UNKNOWN',
      inputStrength: f.inputStrength ?? 'NONE',
      outputStrength: f.outputStrength ?? 'NONE',
    })),
    piiEntityTypes: (answer.sensitiveInformationPolicy?.piiEntities ?? []).map((e) => e.type ?? 'UNKNOWN'),
    regexCount: answer.sensitiveInformationPolicy?.regexes?.length ?? 0,
    kmsKeyArn: answer.kmsKeyArn ?? null,
  };
}

export function normaliseAgent(answer: GetAgentResponse): BedrockAgent {
  const agent = answer.agent;
  const guardrail = agent?.guardrailConfiguration;
  return {
    name: agent?.agentName ?? '',
    id: agent?.agentId ?? '',
    status: agent?.agentStatus ?? null,
    foundationModel: agent?.foundationModel ?? null,
    customerEncryptionKeyArn: agent?.customerEncryptionKeyArn ?? null,
    roleArn: agent?.agentResourceRoleArn ?? null,
    guardrail: guardrail?.guardrailIdentifier
      ? { identifier: guardrail.guardrailIdentifier, version: guardrail.guardrailVersion ?? null }
      : null,
    references: refs({ kmsKeys: [agent?.customerEncryptionKeyArn], resources: [agent?.agentResourceRoleArn] }),
  };
}

type KnowledgeBaseDataSource = NonNullable<BedrockKnowledgeBase['dataSources']>[number];

export function normaliseDataSource(source: DataSource): KnowledgeBaseDataSource {
  const s3 = source.dataSourceConfiguration?.s3Configuration;
  return {
    id: source.dataSourceId ?? '',
    name: source.name ?? '',
    type: source.dataSourceConfiguration?.type ?? null,
    s3BucketArn: s3?.bucketArn ?? null,
    inclusionPrefixes: s3?.inclusionPrefixes ?? [],
    kmsKeyArn: source.serverSideEncryptionConfiguration?.kmsKeyArn ?? null,
  };
}

/** A knowledge base with its data sources (undefined when they could not be read); their buckets are ML data. */
export function normaliseKnowledgeBase(base: KnowledgeBase | undefined, sources: DataSource[] | undefined): BedrockKnowledgeBase {
  const dataSources = sources?.map(normaliseDataSource);
  const bucketUris = (dataSources ?? []).flatMap((d) => {
    const bucket = d.s3BucketArn?.replace(/^arn:[^:]*:s3:::/, '');
    if (!bucket) return [];
    return d.inclusionPrefixes.length > 0 ? d.inclusionPrefixes.map((prefix) => `s3://${bucket}/${prefix}`) : [`s3://${bucket}/`];
  });
  return {
    name: base?.name ?? '',
    id: base?.knowledgeBaseId ?? '',
    status: base?.status ?? null,
    roleArn: base?.roleArn ?? null,
    storageType: base?.storageConfiguration?.type ?? null,
    ...(dataSources ? { dataSources } : {}),
    references: refs({
      s3Uris: bucketUris,
      kmsKeys: (dataSources ?? []).map((d) => d.kmsKeyArn ?? undefined),
      resources: [base?.roleArn],
    }),
  };
}

export const normaliseProvisioned = (summary: ProvisionedModelSummary): BedrockProvisionedThroughput => ({
  name: summary.provisionedModelName ?? '',
  status: summary.status ?? null,
  modelArn: summary.modelArn ?? null,
});
