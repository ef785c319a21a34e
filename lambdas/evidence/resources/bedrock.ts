import { z } from 'zod';
import { resourceReferencesSchema } from './references';

/**
 * Normalised Bedrock configuration, from the Bedrock and Bedrock Agents control-plane APIs
 * (API reference: GetModelInvocationLoggingConfiguration, GetCustomModel,
 * GetModelCustomizationJob, GetGuardrail, ListProvisionedModelThroughputs, GetAgent). A field is
 * absent when its call failed (the record's errors say which), never guessed.
 */
export const BEDROCK_LOGGING_TYPE = 'AWS::Bedrock::ModelInvocationLoggingConfiguration';
export const BEDROCK_CUSTOM_MODEL_TYPE = 'AWS::Bedrock::CustomModel';
export const BEDROCK_CUSTOMIZATION_JOB_TYPE = 'AWS::Bedrock::ModelCustomizationJob';
export const BEDROCK_GUARDRAIL_TYPE = 'AWS::Bedrock::Guardrail';
export const BEDROCK_PROVISIONED_THROUGHPUT_TYPE = 'AWS::Bedrock::ProvisionedModelThroughput';
export const BEDROCK_AGENT_TYPE = 'AWS::Bedrock::Agent';
export const BEDROCK_KNOWLEDGE_BASE_TYPE = 'AWS::Bedrock::KnowledgeBase';

/**
 * The invocation-logging configuration is a setting of the account in one region, not a
 * resource with an ARN: it is recorded on the account root, one per regional record.
 */
export const bedrockLoggingSchema = z.object({
  /** False when GetModelInvocationLoggingConfiguration answered without a loggingConfig: logging is off. */
  configured: z.boolean(),
  s3BucketName: z.string().nullable(),
  s3KeyPrefix: z.string().nullable(),
  cloudWatchLogGroupName: z.string().nullable(),
  cloudWatchRoleArn: z.string().nullable(),
  textDataDeliveryEnabled: z.boolean(),
  imageDataDeliveryEnabled: z.boolean(),
  embeddingDataDeliveryEnabled: z.boolean(),
  references: resourceReferencesSchema,
});
export type BedrockLogging = z.infer<typeof bedrockLoggingSchema>;

export const bedrockCustomModelSchema = z.object({
  name: z.string(),
  creationTime: z.string().nullable(),
  baseModelArn: z.string().nullable(),
  customizationType: z.string().nullable(),
  /** modelKmsKeyArn: null when the model is encrypted with an AWS owned key. */
  kmsKeyArn: z.string().nullable(),
  jobArn: z.string().nullable(),
  trainingDataS3Uri: z.string().nullable(),
  outputS3Uri: z.string().nullable(),
  references: resourceReferencesSchema,
});
export type BedrockCustomModel = z.infer<typeof bedrockCustomModelSchema>;

const vpcSchema = z.object({ subnetIds: z.array(z.string()), securityGroupIds: z.array(z.string()) });

export const bedrockCustomizationJobSchema = z.object({
  name: z.string(),
  status: z.string().nullable(),
  creationTime: z.string().nullable(),
  baseModelArn: z.string().nullable(),
  outputModelArn: z.string().nullable(),
  roleArn: z.string().nullable(),
  /** outputModelKmsKeyArn: null when the model it produces is encrypted with an AWS owned key. */
  outputModelKmsKeyArn: z.string().nullable(),
  vpcConfig: vpcSchema.nullable(),
  trainingDataS3Uri: z.string().nullable(),
  validationDataS3Uris: z.array(z.string()),
  outputS3Uri: z.string().nullable(),
  references: resourceReferencesSchema,
});
export type BedrockCustomizationJob = z.infer<typeof bedrockCustomizationJobSchema>;

export const bedrockGuardrailSchema = z.object({
  name: z.string(),
  id: z.string(),
  version: z.string().nullable(),
  status: z.string().nullable(),
  /** Content filter types with a non-NONE input strength (PROMPT_ATTACK filters only inputs). */
  contentFilters: z.array(z.object({ type: z.string(), inputStrength: z.string(), outputStrength: z.string() })),
  /** PII entity types the sensitive-information policy acts on. */
  piiEntityTypes: z.array(z.string()),
  regexCount: z.number(),
  kmsKeyArn: z.string().nullable(),
});
export type BedrockGuardrail = z.infer<typeof bedrockGuardrailSchema>;

export const bedrockProvisionedThroughputSchema = z.object({
  name: z.string(),
  status: z.string().nullable(),
  modelArn: z.string().nullable(),
});
export type BedrockProvisionedThroughput = z.infer<typeof bedrockProvisionedThroughputSchema>;

export const bedrockAgentSchema = z.object({
  name: z.string(),
  id: z.string(),
  status: z.string().nullable(),
  foundationModel: z.string().nullable(),
  /** customerEncryptionKeyArn: null when the agent is encrypted with an AWS owned key. */
  customerEncryptionKeyArn: z.string().nullable(),
  roleArn: z.string().nullable(),
  guardrail: z.object({ identifier: z.string(), version: z.string().nullable() }).nullable(),
  references: resourceReferencesSchema,
});
export type BedrockAgent = z.infer<typeof bedrockAgentSchema>;

export const bedrockKnowledgeBaseSchema = z.object({
  name: z.string(),
  id: z.string(),
  status: z.string().nullable(),
  roleArn: z.string().nullable(),
  /** storageConfiguration.type (OPENSEARCH_SERVERLESS, PINECONE, RDS, ...). */
  storageType: z.string().nullable(),
  /** Absent when ListDataSources or a GetDataSource failed (the record's errors say which). */
  dataSources: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        type: z.string().nullable(),
        s3BucketArn: z.string().nullable(),
        inclusionPrefixes: z.array(z.string()),
        /** serverSideEncryptionConfiguration.kmsKeyArn: null with an AWS owned key. */
        kmsKeyArn: z.string().nullable(),
      }),
    )
    .optional(),
  references: resourceReferencesSchema,
});
export type BedrockKnowledgeBase = z.infer<typeof bedrockKnowledgeBaseSchema>;

/** Every Bedrock resource type whose existence means Bedrock is in use in the region. */
export const BEDROCK_IN_USE_TYPES: readonly string[] = [
  BEDROCK_CUSTOM_MODEL_TYPE,
  BEDROCK_CUSTOMIZATION_JOB_TYPE,
  BEDROCK_GUARDRAIL_TYPE,
  BEDROCK_PROVISIONED_THROUGHPUT_TYPE,
  BEDROCK_AGENT_TYPE,
  BEDROCK_KNOWLEDGE_BASE_TYPE,
];
