import {
  AccessDeniedException,
  BedrockClient,
  GetCustomModelCommand,
  GetGuardrailCommand,
  GetModelCustomizationJobCommand,
  GetModelInvocationLoggingConfigurationCommand,
  ListCustomModelsCommand,
  ListGuardrailsCommand,
  ListModelCustomizationJobsCommand,
  ListProvisionedModelThroughputsCommand,
  ThrottlingException,
} from '@aws-sdk/client-bedrock';
import {
  BedrockAgentClient,
  GetAgentCommand,
  GetDataSourceCommand,
  GetKnowledgeBaseCommand,
  ListAgentsCommand,
  ListDataSourcesCommand,
  ListKnowledgeBasesCommand,
} from '@aws-sdk/client-bedrock-agent';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { collectBedrock } from '../../../lambdas/collectors/bedrock';
import { COLLECTOR_READ_ACTIONS } from '../../../lambdas/collectors/permissions';
import {
  BEDROCK_AGENT_TYPE,
  BEDROCK_CUSTOM_MODEL_TYPE,
  BEDROCK_CUSTOMIZATION_JOB_TYPE,
  BEDROCK_GUARDRAIL_TYPE,
  BEDROCK_KNOWLEDGE_BASE_TYPE,
  BEDROCK_LOGGING_TYPE,
  BEDROCK_PROVISIONED_THROUGHPUT_TYPE,
} from '../../../lambdas/evidence/resources/bedrock';
import { mockedCollectorContext } from '../../helpers/collector-context';

/*
 * Response shapes from the Amazon Bedrock API reference
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_Operations_Amazon_Bedrock.html and
 * API_Operations_Agents_for_Amazon_Bedrock.html) as modelled by @aws-sdk/client-bedrock and
 * @aws-sdk/client-bedrock-agent. moto does not serve guardrails or provisioned throughput: they are
 * tested here only.
 */
const bedrock = mockClient(BedrockClient);
const agents = mockClient(BedrockAgentClient);
const A = '123456789012';
const NOW = new Date('2026-11-26T12:00:00.000Z');
const DAY = 86_400_000;
const modelArn = (n: number) => `arn:aws:bedrock:us-east-1:${A}:custom-model/amazon.titan-text-express-v1:0:8k/m${n}`;
const jobArn = (n: number) => `arn:aws:bedrock:us-east-1:${A}:model-customization-job/amazon.titan-text-express-v1:0:8k/j${n}`;
const GUARDRAIL = `arn:aws:bedrock:us-east-1:${A}:guardrail/gr1abc`;
const BASE = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1:0:8k';
/** GetGuardrail's required fields (a guardrail without filters). */
const GUARDRAIL_ANSWER = {
  name: 'g',
  guardrailId: 'gr1abc',
  guardrailArn: GUARDRAIL,
  version: 'DRAFT',
  status: 'READY',
  createdAt: NOW,
  updatedAt: NOW,
  blockedInputMessaging: 'no',
  blockedOutputsMessaging: 'no',
} as const;

function emptyRegion() {
  bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({});
  bedrock.on(ListCustomModelsCommand).resolves({ modelSummaries: [] });
  bedrock.on(ListModelCustomizationJobsCommand).resolves({ modelCustomizationJobSummaries: [] });
  bedrock.on(ListGuardrailsCommand).resolves({ guardrails: [] });
  bedrock.on(ListProvisionedModelThroughputsCommand).resolves({ provisionedModelSummaries: [] });
  agents.on(ListAgentsCommand).resolves({ agentSummaries: [] });
  agents.on(ListKnowledgeBasesCommand).resolves({ knowledgeBaseSummaries: [] });
}

const summary = (n: number, daysAgo: number) => ({
  jobArn: jobArn(n),
  jobName: `tune-${n}`,
  baseModelArn: BASE,
  status: 'Completed' as const,
  creationTime: new Date(NOW.getTime() - daysAgo * DAY),
});

beforeEach(() => {
  bedrock.reset();
  agents.reset();
  emptyRegion();
});

describe('Bedrock collector', () => {
  it('records logging off, and nothing else, for a region without Bedrock resources', async () => {
    const output = await collectBedrock(mockedCollectorContext({ clock: () => NOW }));
    expect(output.errors).toEqual([]);
    expect(output.resources).toEqual([
      expect.objectContaining({
        arn: `arn:aws:iam::${A}:root`,
        type: BEDROCK_LOGGING_TYPE,
        configuration: expect.objectContaining({ configured: false }),
      }),
    ]);
  });

  it('pages custom models and describes each, recording the KMS key and the training data as ML data', async () => {
    bedrock
      .on(ListCustomModelsCommand)
      .resolvesOnce({
        modelSummaries: [{ modelArn: modelArn(1), modelName: 'm1', creationTime: NOW, baseModelArn: BASE, baseModelName: 't' }],
        nextToken: 'p2',
      })
      .resolvesOnce({
        modelSummaries: [{ modelArn: modelArn(2), modelName: 'm2', creationTime: NOW, baseModelArn: BASE, baseModelName: 't' }],
      });
    // Described by name, which every Bedrock implementation resolves; the answer carries the ARN.
    bedrock.on(GetCustomModelCommand).callsFake(({ modelIdentifier }: { modelIdentifier: string }) => ({
      modelArn: modelIdentifier === 'm1' ? modelArn(1) : modelArn(2),
      modelName: modelIdentifier.endsWith('m1') ? 'm1' : 'm2',
      creationTime: NOW,
      modelKmsKeyArn: modelIdentifier.endsWith('m1') ? `arn:aws:kms:us-east-1:${A}:key/k1` : undefined,
      trainingDataConfig: { s3Uri: 's3://bedrock-training/data.jsonl' },
      outputDataConfig: { s3Uri: 's3://bedrock-output/' },
    }));
    const output = await collectBedrock(mockedCollectorContext({ clock: () => NOW }));
    expect(bedrock).toHaveReceivedCommandTimes(ListCustomModelsCommand, 2);
    expect(bedrock).toHaveReceivedCommandWith(ListCustomModelsCommand, {
      sortBy: 'CreationTime',
      sortOrder: 'Descending',
      maxResults: 1000,
    });
    const models = output.resources.filter((r) => r.type === BEDROCK_CUSTOM_MODEL_TYPE);
    expect(models.map((m) => [m.arn, m.configuration.kmsKeyArn])).toEqual([
      [modelArn(1), `arn:aws:kms:us-east-1:${A}:key/k1`],
      [modelArn(2), null],
    ]);
    expect(models[0]?.configuration.references).toMatchObject({
      s3Uris: ['s3://bedrock-output/', 's3://bedrock-training/data.jsonl'],
    });
  });

  it('lists customization jobs newest first inside the look-back window and never describes an older one', async () => {
    bedrock
      .on(ListModelCustomizationJobsCommand)
      .resolvesOnce({ modelCustomizationJobSummaries: [summary(1, 1), summary(2, 30)], nextToken: 'p2' })
      // An API that ignored creationTimeAfter: the old job ends the paging.
      .resolvesOnce({ modelCustomizationJobSummaries: [summary(3, 89), summary(4, 120)], nextToken: 'p3' });
    bedrock.on(GetModelCustomizationJobCommand).callsFake(({ jobIdentifier }: { jobIdentifier: string }) => ({
      jobArn: jobArn(Number(jobIdentifier.replace('tune-', ''))),
      jobName: jobIdentifier,
      outputModelName: 'out',
      roleArn: `arn:aws:iam::${A}:role/BedrockCustomization`,
      creationTime: NOW,
      baseModelArn: BASE,
      trainingDataConfig: { s3Uri: 's3://bedrock-training/' },
      validationDataConfig: { validators: [] },
      outputDataConfig: { s3Uri: 's3://bedrock-output/' },
    }));
    const output = await collectBedrock(mockedCollectorContext({ clock: () => NOW }));
    expect(bedrock).toHaveReceivedCommandTimes(ListModelCustomizationJobsCommand, 2);
    expect(bedrock).toHaveReceivedCommandWith(ListModelCustomizationJobsCommand, {
      sortBy: 'CreationTime',
      sortOrder: 'Descending',
      creationTimeAfter: new Date(NOW.getTime() - 90 * DAY),
    });
    expect(bedrock).toHaveReceivedCommandTimes(GetModelCustomizationJobCommand, 3);
    expect(output.resources.filter((r) => r.type === BEDROCK_CUSTOMIZATION_JOB_TYPE).map((r) => r.arn)).toEqual(
      expect.arrayContaining([jobArn(1), jobArn(2), jobArn(3)]),
    );
    expect(output.resources.map((r) => r.arn)).not.toContain(jobArn(4));
  });

  it('describes guardrails, agents and lists provisioned throughput (shapes moto does not serve)', async () => {
    bedrock.on(ListGuardrailsCommand).resolves({
      guardrails: [
        { id: 'gr1abc', arn: GUARDRAIL, status: 'READY', name: 'g', version: 'DRAFT', createdAt: NOW, updatedAt: NOW },
      ],
    });
    bedrock.on(GetGuardrailCommand).resolves({
      ...GUARDRAIL_ANSWER,
      contentPolicy: { filters: [{ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' }] },
      sensitiveInformationPolicy: { piiEntities: [{ type: 'US_SOCIAL_SECURITY_NUMBER', action: 'BLOCK' }] },
    });
    bedrock.on(ListProvisionedModelThroughputsCommand).resolves({
      provisionedModelSummaries: [
        {
          provisionedModelName: 'pt',
          provisionedModelArn: `arn:aws:bedrock:us-east-1:${A}:provisioned-model/pt1`,
          modelArn: modelArn(1),
          desiredModelArn: modelArn(1),
          foundationModelArn: BASE,
          modelUnits: 1,
          desiredModelUnits: 1,
          status: 'InService',
          creationTime: NOW,
          lastModifiedTime: NOW,
        },
      ],
    });
    agents.on(ListAgentsCommand).resolves({
      agentSummaries: [{ agentId: 'AGENT12345', agentName: 'support', agentStatus: 'PREPARED', updatedAt: NOW }],
    });
    agents.on(GetAgentCommand).resolves({
      agent: {
        agentId: 'AGENT12345',
        agentName: 'support',
        agentArn: `arn:aws:bedrock:us-east-1:${A}:agent/AGENT12345`,
        agentVersion: 'DRAFT',
        agentStatus: 'PREPARED',
        idleSessionTTLInSeconds: 600,
        agentResourceRoleArn: `arn:aws:iam::${A}:role/AmazonBedrockExecutionRoleForAgents_support`,
        createdAt: NOW,
        updatedAt: NOW,
        guardrailConfiguration: { guardrailIdentifier: 'gr1abc', guardrailVersion: '1' },
      },
    });
    const output = await collectBedrock(mockedCollectorContext({ clock: () => NOW }));
    expect(output.errors).toEqual([]);
    const byType = (type: string) => output.resources.find((r) => r.type === type)?.configuration;
    expect(byType(BEDROCK_GUARDRAIL_TYPE)).toMatchObject({
      piiEntityTypes: ['US_SOCIAL_SECURITY_NUMBER'],
      contentFilters: [{ type: 'PROMPT_ATTACK' }],
    });
    expect(byType(BEDROCK_AGENT_TYPE)).toMatchObject({
      customerEncryptionKeyArn: null,
      guardrail: { identifier: 'gr1abc', version: '1' },
    });
    expect(byType(BEDROCK_PROVISIONED_THROUGHPUT_TYPE)).toMatchObject({ status: 'InService' });
    expect(agents).toHaveReceivedCommandWith(GetAgentCommand, { agentId: 'AGENT12345' });
  });

  it('records a denied listing and a throttled describe, keeping the model by name (fail closed)', async () => {
    bedrock.on(GetModelInvocationLoggingConfigurationCommand).rejects(
      new AccessDeniedException({
        message: 'not authorized to perform bedrock:GetModelInvocationLoggingConfiguration',
        $metadata: {},
      }),
    );
    bedrock.on(ListCustomModelsCommand).resolves({
      modelSummaries: [{ modelArn: modelArn(1), modelName: 'm1', creationTime: NOW, baseModelArn: BASE, baseModelName: 't' }],
    });
    bedrock.on(GetCustomModelCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    agents.on(ListAgentsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const output = await collectBedrock(mockedCollectorContext({ clock: () => NOW }));
    expect(output.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ api: 'bedrock:GetModelInvocationLoggingConfiguration', code: 'AccessDeniedException' }),
        expect.objectContaining({ api: 'bedrock:GetCustomModel', resource: modelArn(1), code: 'ThrottlingException' }),
        expect.objectContaining({ api: 'bedrock:ListAgents', code: 'AccessDeniedException' }),
      ]),
    );
    // Kept under the ARN the listing gave, not one made up from the name.
    expect(output.resources).toEqual([expect.objectContaining({ arn: modelArn(1), configuration: { name: 'm1' } })]);
  });

  it('re-collects one guardrail named by a change event, and the account setting for a logging event', async () => {
    bedrock.on(GetGuardrailCommand).resolves(GUARDRAIL_ANSWER);
    const one = await collectBedrock(mockedCollectorContext({ scope: { type: 'resource', resource: GUARDRAIL } }));
    expect(one.resources.map((r) => r.type)).toEqual([BEDROCK_GUARDRAIL_TYPE]);
    expect(bedrock).not.toHaveReceivedCommand(ListGuardrailsCommand);
    const account = await collectBedrock(
      mockedCollectorContext({ scope: { type: 'resource', resource: `arn:aws:iam::${A}:root` } }),
    );
    expect(account.resources.map((r) => r.type)).toEqual([BEDROCK_LOGGING_TYPE]);
  });
});

describe('Bedrock least privilege', () => {
  it('grants control-plane reads only: no InvokeModel or any other data-plane or write action', () => {
    const actions = COLLECTOR_READ_ACTIONS.bedrock;
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) {
      expect(action).toMatch(/^bedrock:(Get|List)[A-Za-z]+$/);
      expect(action).not.toMatch(/Invoke|Converse|Retrieve|ApplyGuardrail|StartIngestion|\*/);
      expect(action).not.toMatch(/^bedrock:(Create|Update|Delete|Put|Start|Stop|Tag|Untag)/);
    }
  });
});

describe('Bedrock knowledge bases', () => {
  const KB = `arn:aws:bedrock:us-east-1:${A}:knowledge-base/KB12345678`;
  const base = {
    knowledgeBaseId: 'KB12345678',
    name: 'support-docs',
    knowledgeBaseArn: KB,
    roleArn: `arn:aws:iam::${A}:role/AmazonBedrockExecutionRoleForKnowledgeBase_support`,
    knowledgeBaseConfiguration: { type: 'VECTOR' as const },
    storageConfiguration: { type: 'OPENSEARCH_SERVERLESS' as const },
    status: 'ACTIVE' as const,
    createdAt: NOW,
    updatedAt: NOW,
  };

  it('records each data source with its bucket (an ML bucket) and key', async () => {
    agents.on(ListKnowledgeBasesCommand).resolves({
      knowledgeBaseSummaries: [{ knowledgeBaseId: 'KB12345678', name: 'support-docs', status: 'ACTIVE', updatedAt: NOW }],
    });
    agents.on(GetKnowledgeBaseCommand).resolves({ knowledgeBase: base });
    agents.on(ListDataSourcesCommand).resolves({
      dataSourceSummaries: [
        { knowledgeBaseId: 'KB12345678', dataSourceId: 'DS1', name: 'docs', status: 'AVAILABLE', updatedAt: NOW },
      ],
    });
    agents.on(GetDataSourceCommand).resolves({
      dataSource: {
        knowledgeBaseId: 'KB12345678',
        dataSourceId: 'DS1',
        name: 'docs',
        status: 'AVAILABLE',
        dataSourceConfiguration: {
          type: 'S3',
          s3Configuration: { bucketArn: 'arn:aws:s3:::support-docs', inclusionPrefixes: ['public/'] },
        },
        serverSideEncryptionConfiguration: { kmsKeyArn: `arn:aws:kms:us-east-1:${A}:key/k1` },
        createdAt: NOW,
        updatedAt: NOW,
      },
    });
    const output = await collectBedrock(mockedCollectorContext({ clock: () => NOW }));
    const kb = output.resources.find((r) => r.type === BEDROCK_KNOWLEDGE_BASE_TYPE);
    expect(kb).toMatchObject({
      arn: KB,
      configuration: {
        storageType: 'OPENSEARCH_SERVERLESS',
        dataSources: [{ id: 'DS1', s3BucketArn: 'arn:aws:s3:::support-docs', kmsKeyArn: `arn:aws:kms:us-east-1:${A}:key/k1` }],
        references: { s3Uris: ['s3://support-docs/public/'] },
      },
    });
  });

  it('leaves dataSources absent, never empty, when ListDataSources was denied', async () => {
    agents.on(ListKnowledgeBasesCommand).resolves({
      knowledgeBaseSummaries: [{ knowledgeBaseId: 'KB12345678', name: 'support-docs', status: 'ACTIVE', updatedAt: NOW }],
    });
    agents.on(GetKnowledgeBaseCommand).resolves({ knowledgeBase: base });
    agents.on(ListDataSourcesCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const output = await collectBedrock(mockedCollectorContext({ clock: () => NOW }));
    expect(output.resources.find((r) => r.type === BEDROCK_KNOWLEDGE_BASE_TYPE)?.configuration).not.toHaveProperty('dataSources');
    expect(output.errors).toEqual([expect.objectContaining({ api: 'bedrock:ListDataSources', resource: KB })]);
  });
});
