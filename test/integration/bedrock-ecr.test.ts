import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateModelCustomizationJobCommand, PutModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { CreateAgentCommand, CreateKnowledgeBaseCommand } from '@aws-sdk/client-bedrock-agent';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import type { AwsClientFactory } from '../../lambdas/aws/clients';
import { type DateRewritingProxy, startDateRewritingProxy } from '../../lambdas/cli/emulator-dates';
import { collectBedrock } from '../../lambdas/collectors/bedrock';
import {
  BEDROCK_AGENT_TYPE,
  BEDROCK_CUSTOMIZATION_JOB_TYPE,
  BEDROCK_KNOWLEDGE_BASE_TYPE,
} from '../../lambdas/evidence/resources/bedrock';
import { runCliCaptured } from '../helpers/cli';
import { emulatorCollectorContext } from '../helpers/collector-context';
import { EMULATOR_ACCOUNT, EMULATOR_REGION, emulatorClients, useMoto } from '../helpers/moto';

/**
 * Bedrock and ECR against moto 5.2.5 (through a proxy that only rewrites moto's Bedrock dates into
 * RFC 3339, see STACK.md). moto serves invocation logging, customization jobs, custom models,
 * agents, knowledge bases and ECR; guardrails and provisioned throughput answer 500 (their shapes are tested with
 * aws-sdk-client-mock in test/unit/collectors/bedrock.test.ts), and every custom model it creates
 * carries a made-up KMS key, so an unencrypted custom model is tested there too.
 */
const moto = useMoto();
const A = EMULATOR_ACCOUNT;
const ROOT = `arn:aws:iam::${A}:root`;
const REPOSITORY = `arn:aws:ecr:${EMULATOR_REGION}:${A}:repository/ml/trainer`;
const IMAGE = `${A}.dkr.ecr.${EMULATOR_REGION}.amazonaws.com/ml/trainer:2026-11-30`;
const ROLE = `arn:aws:iam::${A}:role/MlTraining`;

interface ReportItem {
  id: string;
  findings: { check: string; resource: string; status: string; detail: string }[];
}

let proxy: DateRewritingProxy;
beforeEach(async () => {
  proxy = await startDateRewritingProxy(moto().url);
});
afterEach(async () => {
  await proxy.close();
});

async function seed(clients: AwsClientFactory, fixed: boolean): Promise<string> {
  if (fixed)
    await clients.bedrock().send(
      new PutModelInvocationLoggingConfigurationCommand({
        loggingConfig: { s3Config: { bucketName: 'bedrock-invocation-logs' }, textDataDeliveryEnabled: true },
      }),
    );
  const job = await clients.bedrock().send(
    new CreateModelCustomizationJobCommand({
      jobName: 'support-tune',
      customModelName: 'support-titan',
      roleArn: ROLE,
      baseModelIdentifier: 'amazon.titan-text-express-v1',
      trainingDataConfig: { s3Uri: 's3://bedrock-training/support.jsonl' },
      outputDataConfig: { s3Uri: 's3://bedrock-output/' },
      hyperParameters: { epochCount: '1' },
      ...(fixed ? { vpcConfig: { subnetIds: ['subnet-0abc'], securityGroupIds: ['sg-0abc'] } } : {}),
    }),
  );
  const key = fixed ? (await clients.kms().send(new CreateKeyCommand({}))).KeyMetadata?.Arn : undefined;
  await clients.ecr().send(
    new CreateRepositoryCommand({
      repositoryName: 'ml/trainer',
      imageTagMutability: fixed ? 'IMMUTABLE' : 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: fixed },
      ...(key ? { encryptionConfiguration: { encryptionType: 'KMS', kmsKey: key } } : {}),
    }),
  );
  await clients.ecr().send(new CreateRepositoryCommand({ repositoryName: 'web/frontend', imageTagMutability: 'MUTABLE' }));
  await clients.sageMaker().send(
    new CreateTrainingJobCommand({
      TrainingJobName: 'churn-train',
      RoleArn: ROLE,
      AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
      OutputDataConfig: { S3OutputPath: 's3://ml-artifacts/churn/' },
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }),
  );
  return job.jobArn ?? '';
}

async function collectAndReport(): Promise<ReportItem[]> {
  const dir = await mkdtemp(join(tmpdir(), 'soc2-bedrock-ecr-'));
  try {
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ regions: [EMULATOR_REGION], collection: { maxAttempts: 1 } }));
    const global = ['--endpoint-url', proxy.url, '--region', EMULATOR_REGION];
    const store = ['--store', join(dir, 'store')];
    const collect = await runCliCaptured([
      ...global,
      'collect',
      '--collectors',
      'kms,sagemaker,bedrock,ecr',
      ...store,
      '--config',
      config,
    ]);
    const report = await runCliCaptured([...global, 'report', ...store, '--out', join(dir, 'report'), '--config', config]);
    // moto lacks some calls (500): collect records them; only usage or internal failures stop the test.
    expect([collect.status, report.status].filter((s) => s >= 2)).toEqual([]);
    return (JSON.parse(await readFile(join(dir, 'report', 'report.json'), 'utf8')) as { items: ReportItem[] }).items;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const finding = (items: ReportItem[], item: string, check: string, resource: string) =>
  items.find((i) => i.id === item)?.findings.find((f) => f.check === check && f.resource === resource);

describe('Bedrock and ECR on an emulated account: collect, then report', () => {
  it('shows logging off, a job without VPC and a mutable, unscanned training image repository as FAIL under the mapped items', async () => {
    const job = await seed(emulatorClients(proxy.url), false);
    const items = await collectAndReport();
    for (const item of ['SEC-AM-4', 'SEC-IS-5'])
      expect(finding(items, item, 'bedrock.invocation_logging', ROOT)).toMatchObject({ status: 'FAIL' });
    expect(finding(items, 'SEC-IS-1', 'bedrock.customization_job_vpc', job)).toMatchObject({ status: 'FAIL' });
    for (const item of ['SEC-IS-2', 'PI-MD-1'])
      expect(finding(items, item, 'ecr.tag_immutability', REPOSITORY)).toMatchObject({
        status: 'FAIL',
        detail: expect.stringContaining('training-job/churn-train'),
      });
    for (const item of ['SEC-IS-2', 'SEC-IS-3'])
      expect(finding(items, item, 'ecr.scan_on_push', REPOSITORY)).toMatchObject({ status: 'FAIL' });
    expect(finding(items, 'SEC-DP-1', 'ecr.kms', REPOSITORY)).toMatchObject({ status: 'FAIL' });
    // The repository no ML resource uses is not judged.
    expect(items.flatMap((i) => i.findings).some((f) => f.resource.endsWith('repository/web/frontend'))).toBe(false);
    // Guardrails are 500 in moto: ERROR, never PASS.
    expect(finding(items, 'PRIV-CM-2', 'bedrock.guardrails_configured', ROOT)).toMatchObject({ status: 'ERROR' });
  }, 120_000);

  it('shows the same resources PASS once fixed', async () => {
    const job = await seed(emulatorClients(proxy.url), true);
    const items = await collectAndReport();
    expect(finding(items, 'SEC-AM-4', 'bedrock.invocation_logging', ROOT)).toMatchObject({ status: 'PASS' });
    expect(finding(items, 'SEC-IS-1', 'bedrock.customization_job_vpc', job)).toMatchObject({ status: 'PASS' });
    for (const check of ['ecr.tag_immutability', 'ecr.scan_on_push'])
      expect(finding(items, 'SEC-IS-2', check, REPOSITORY)).toMatchObject({ status: 'PASS' });
    expect(finding(items, 'SEC-DP-1', 'ecr.kms', REPOSITORY)).toMatchObject({ status: 'PASS' });
  }, 120_000);

  it('collects agents, knowledge bases and customization jobs moto serves, and records the listings it lacks', async () => {
    const clients = emulatorClients(proxy.url);
    await seed(clients, false);
    await clients.bedrockAgent().send(
      new CreateAgentCommand({
        agentName: 'support-agent',
        agentResourceRoleArn: ROLE,
        foundationModel: 'anthropic.claude-v2',
      }),
    );
    await clients.bedrockAgent().send(
      new CreateKnowledgeBaseCommand({
        name: 'support-docs',
        roleArn: ROLE,
        knowledgeBaseConfiguration: {
          type: 'VECTOR',
          vectorKnowledgeBaseConfiguration: {
            embeddingModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0',
          },
        },
        storageConfiguration: {
          type: 'OPENSEARCH_SERVERLESS',
          opensearchServerlessConfiguration: {
            collectionArn: `arn:aws:aoss:us-east-1:${A}:collection/abcdefghij1234567890`,
            vectorIndexName: 'support',
            fieldMapping: { vectorField: 'vector', textField: 'text', metadataField: 'metadata' },
          },
        },
      }),
    );
    const output = await collectBedrock(emulatorCollectorContext(clients));
    const names = (type: string) => output.resources.filter((r) => r.type === type).map((r) => r.configuration.name);
    expect(names(BEDROCK_AGENT_TYPE)).toEqual(['support-agent']);
    expect(names(BEDROCK_KNOWLEDGE_BASE_TYPE)).toEqual(['support-docs']);
    expect(output.resources.filter((r) => r.type === BEDROCK_CUSTOMIZATION_JOB_TYPE)).toHaveLength(1);
    // moto answers 500 to ListDataSources (POST): the knowledge base is kept without dataSources, the call recorded.
    expect(output.errors.map((e) => e.api).sort()).toEqual([
      'bedrock:ListDataSources',
      'bedrock:ListGuardrails',
      'bedrock:ListProvisionedModelThroughputs',
    ]);
    expect(output.resources.find((r) => r.type === BEDROCK_KNOWLEDGE_BASE_TYPE)?.configuration).not.toHaveProperty('dataSources');
  });
});
