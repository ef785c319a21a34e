import {
  BEDROCK_AGENT_TYPE,
  BEDROCK_CUSTOM_MODEL_TYPE,
  BEDROCK_CUSTOMIZATION_JOB_TYPE,
  BEDROCK_GUARDRAIL_TYPE,
  BEDROCK_KNOWLEDGE_BASE_TYPE,
  BEDROCK_LOGGING_TYPE,
  BEDROCK_PROVISIONED_THROUGHPUT_TYPE,
  bedrockAgentSchema,
  bedrockCustomizationJobSchema,
  bedrockCustomModelSchema,
  bedrockGuardrailSchema,
  bedrockKnowledgeBaseSchema,
  bedrockLoggingSchema,
  bedrockProvisionedThroughputSchema,
} from '../../evidence/resources/bedrock';
import { at, type ServiceDescriptor, serviceEvents } from '../types';

const bedrockArn = (arnType: string) => `arn:{partition}:bedrock:{region}:{account}:${arnType}/{id}`;

/**
 * Amazon Bedrock and Agents for Amazon Bedrock control-plane calls share this event source
 * ("Monitor Amazon Bedrock API calls using CloudTrail",
 * https://docs.aws.amazon.com/bedrock/latest/userguide/logging-using-cloudtrail.html).
 */
const BEDROCK = 'bedrock.amazonaws.com';
/** Invocation logging is a setting of the account in the event's region (form of the IAM descriptor). */
const account = [[at('recipientAccountId', 'iamAccount')]];

/**
 * Amazon Bedrock and Agents for Amazon Bedrock, control plane only: the invocation-logging
 * setting of each region, custom models, customization jobs in the look-back window, guardrails,
 * provisioned throughput and agents. Never bedrock:InvokeModel or any other data-plane action
 * (a unit test asserts it).
 */
export const bedrockService = {
  name: 'bedrock',
  global: false,
  resourceKinds: [
    {
      type: BEDROCK_LOGGING_TYPE,
      // A setting of the account in one region: recorded on the account root of the regional record.
      arnForm: 'arn:{partition}:iam::{account}:root',
      schema: bedrockLoggingSchema,
      describeApi: 'GetModelInvocationLoggingConfiguration',
    },
    {
      type: BEDROCK_CUSTOM_MODEL_TYPE,
      arnForm: bedrockArn('custom-model'),
      schema: bedrockCustomModelSchema,
      describeApi: 'GetCustomModel',
    },
    {
      type: BEDROCK_CUSTOMIZATION_JOB_TYPE,
      arnForm: bedrockArn('model-customization-job'),
      schema: bedrockCustomizationJobSchema,
      describeApi: 'GetModelCustomizationJob',
    },
    {
      type: BEDROCK_GUARDRAIL_TYPE,
      arnForm: bedrockArn('guardrail'),
      schema: bedrockGuardrailSchema,
      describeApi: 'GetGuardrail',
    },
    {
      type: BEDROCK_PROVISIONED_THROUGHPUT_TYPE,
      arnForm: bedrockArn('provisioned-model'),
      schema: bedrockProvisionedThroughputSchema,
      describeApi: 'ListProvisionedModelThroughputs',
    },
    { type: BEDROCK_AGENT_TYPE, arnForm: bedrockArn('agent'), schema: bedrockAgentSchema, describeApi: 'GetAgent' },
    {
      type: BEDROCK_KNOWLEDGE_BASE_TYPE,
      arnForm: bedrockArn('knowledge-base'),
      schema: bedrockKnowledgeBaseSchema,
      describeApi: 'GetKnowledgeBase',
    },
  ],
  readGrants: [
    {
      actions: [
        'bedrock:GetModelInvocationLoggingConfiguration',
        'bedrock:ListCustomModels',
        'bedrock:ListModelCustomizationJobs',
        'bedrock:ListGuardrails',
        'bedrock:ListProvisionedModelThroughputs',
        'bedrock:ListAgents',
        'bedrock:ListKnowledgeBases',
      ],
      resources: '*',
    },
    { actions: ['bedrock:GetCustomModel'], resources: [bedrockArn('custom-model').replace('{id}', '*')] },
    { actions: ['bedrock:GetModelCustomizationJob'], resources: [bedrockArn('model-customization-job').replace('{id}', '*')] },
    { actions: ['bedrock:GetGuardrail'], resources: [bedrockArn('guardrail').replace('{id}', '*')] },
    { actions: ['bedrock:GetAgent'], resources: [bedrockArn('agent').replace('{id}', '*')] },
    {
      actions: ['bedrock:GetKnowledgeBase', 'bedrock:ListDataSources', 'bedrock:GetDataSource'],
      resources: [bedrockArn('knowledge-base').replace('{id}', '*')],
    },
  ],
  // Every Bedrock and Bedrock Agents List* call takes maxResults 1-1000.
  pageSizes: { listings: 1000 },
  resourceForms: {
    /** A Bedrock ARN, kept as written (a custom model's name cannot be turned into its ARN). */
    bedrockArn: (arn) => (arn.startsWith('arn:') ? arn : undefined),
    bedrockGuardrail: (id, { partition, account, region }) =>
      id.startsWith('arn:') ? id : `arn:${partition}:bedrock:${region}:${account}:guardrail/${id}`,
    bedrockAgent: (id, { partition, account, region }) =>
      id.startsWith('arn:') ? id : `arn:${partition}:bedrock:${region}:${account}:agent/${id}`,
    bedrockKnowledgeBase: (id, { partition, account, region }) =>
      id.startsWith('arn:') ? id : `arn:${partition}:bedrock:${region}:${account}:knowledge-base/${id}`,
  },
  events: [
    ...serviceEvents(BEDROCK, ['PutModelInvocationLoggingConfiguration', 'DeleteModelInvocationLoggingConfiguration'], account),
    ...serviceEvents(BEDROCK, ['CreateModelCustomizationJob'], [[at('responseElements.jobArn', 'bedrockArn')]]),
    // A model named by name only: the region is re-collected (fail closed).
    ...serviceEvents(BEDROCK, ['DeleteCustomModel'], [[at('requestParameters.modelIdentifier', 'bedrockArn')]]),
    ...serviceEvents(
      BEDROCK,
      ['CreateGuardrail'],
      [[at('responseElements.guardrailArn', 'bedrockGuardrail'), at('responseElements.guardrailId', 'bedrockGuardrail')]],
    ),
    ...serviceEvents(
      BEDROCK,
      ['UpdateGuardrail', 'DeleteGuardrail'],
      [[at('requestParameters.guardrailIdentifier', 'bedrockGuardrail')]],
    ),
    ...serviceEvents(
      BEDROCK,
      ['CreateAgent'],
      [[at('responseElements.agent.agentArn', 'bedrockAgent'), at('responseElements.agent.agentId', 'bedrockAgent')]],
    ),
    ...serviceEvents(BEDROCK, ['UpdateAgent', 'DeleteAgent'], [[at('requestParameters.agentId', 'bedrockAgent')]]),
    ...serviceEvents(
      BEDROCK,
      ['CreateKnowledgeBase'],
      [
        [
          at('responseElements.knowledgeBase.knowledgeBaseArn', 'bedrockKnowledgeBase'),
          at('responseElements.knowledgeBase.knowledgeBaseId', 'bedrockKnowledgeBase'),
        ],
      ],
    ),
    // A data source is part of its knowledge base's evidence.
    ...serviceEvents(
      BEDROCK,
      ['UpdateKnowledgeBase', 'DeleteKnowledgeBase', 'CreateDataSource', 'UpdateDataSource', 'DeleteDataSource'],
      [[at('requestParameters.knowledgeBaseId', 'bedrockKnowledgeBase')]],
    ),
  ],
} satisfies ServiceDescriptor;
