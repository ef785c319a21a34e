/**
 * The Bedrock and ECR part of bench:collect: seeds customization jobs on both sides of the
 * look-back window's edge, agents and ECR repositories (a tenth of them tagged as ML), and
 * states the fewest calls that describe them. moto creates one custom model per customization
 * job, so custom models number as many as jobs here (the 200 models cannot be seeded
 * separately), and it needs the date-rewriting proxy for every Bedrock answer.
 */
import { CreateModelCustomizationJobCommand } from '@aws-sdk/client-bedrock';
import { CreateAgentCommand } from '@aws-sdk/client-bedrock-agent';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import type { AwsClientFactory } from '../lambdas/aws/clients';
import type { CollectorOutput } from '../lambdas/collectors/types';
import { BEDROCK_CUSTOMIZATION_JOB_TYPE } from '../lambdas/evidence/resources/bedrock';
import { forEachBounded } from '../lambdas/integrity/store-objects';
import { bedrockService } from '../lambdas/services/bedrock/descriptor';
import { ecrService } from '../lambdas/services/ecr/descriptor';

const SEED_CONCURRENCY = 16;
/** moto's Bedrock timestamps have whole seconds: the edge needs a clear second on each side. */
const WINDOW_GAP_MS = 2_500;
const ROLE = 'arn:aws:iam::123456789012:role/bench-bedrock';

export interface GenerativeCounts {
  customizationJobs: number;
  customizationJobsInWindow: number;
  customModels: number;
  agents: number;
  repositories: number;
  mlRepositories: number;
  windowEdge: Date;
}

const range = (count: number) => Array.from({ length: count }, (_, i) => i);
const pad = (i: number) => String(i).padStart(5, '0');
const pages = (items: number, pageSize: number) => Math.max(1, Math.ceil(items / pageSize));
async function inParallel(count: number, create: (i: number) => Promise<unknown>): Promise<void> {
  await forEachBounded(range(count), SEED_CONCURRENCY, async (i) => {
    await create(i);
  });
}

export async function seedGenerativeEstate(clients: AwsClientFactory, scale: number): Promise<GenerativeCounts> {
  const customizationJobs = Math.round(2_000 * scale);
  const customizationJobsInWindow = Math.round(200 * scale);
  const agents = Math.round(50 * scale);
  const repositories = Math.round(500 * scale);
  const mlRepositories = Math.round(50 * scale);
  const createJob = (i: number) =>
    clients.bedrock().send(
      new CreateModelCustomizationJobCommand({
        jobName: `bench-tune-${pad(i)}`,
        customModelName: `bench-model-${pad(i)}`,
        roleArn: ROLE,
        baseModelIdentifier: 'amazon.titan-text-express-v1',
        trainingDataConfig: { s3Uri: `s3://bench-bedrock/${pad(i)}.jsonl` },
        outputDataConfig: { s3Uri: 's3://bench-bedrock-output/' },
        hyperParameters: {},
      }),
    );
  const old = customizationJobs - customizationJobsInWindow;
  await inParallel(old, createJob);
  await new Promise((r) => setTimeout(r, WINDOW_GAP_MS / 2));
  const windowEdge = new Date();
  await new Promise((r) => setTimeout(r, WINDOW_GAP_MS / 2));
  await inParallel(customizationJobsInWindow, (i) => createJob(old + i));
  await inParallel(agents, (i) =>
    clients.bedrockAgent().send(
      new CreateAgentCommand({
        agentName: `bench-agent-${pad(i)}`,
        agentResourceRoleArn: ROLE,
        foundationModel: 'anthropic.claude-v2',
      }),
    ),
  );
  await inParallel(repositories, (i) =>
    clients.ecr().send(
      new CreateRepositoryCommand({
        repositoryName: `bench/repo-${pad(i)}`,
        ...(i < mlRepositories ? { tags: [{ Key: 'soc2-ml:scope', Value: 'ml' }] } : {}),
      }),
    ),
  );
  return {
    customizationJobs,
    customizationJobsInWindow,
    customModels: customizationJobs,
    agents,
    repositories,
    mlRepositories,
    windowEdge,
  };
}

/** The fewest calls per operation that describe the seeded Bedrock and ECR estate. */
export function generativeMinimumCalls(collector: 'bedrock' | 'ecr', s: GenerativeCounts): Record<string, number> {
  const page = bedrockService.pageSizes.listings;
  if (collector === 'ecr')
    return {
      'ECRClient.GetRegistryScanningConfiguration': 1,
      'ECRClient.DescribeRepositories': pages(s.repositories, ecrService.pageSizes.repositories),
      // Tags decide the ML scope: one call per repository, none per image.
      'ECRClient.ListTagsForResource': s.repositories,
    };
  return {
    'BedrockClient.GetModelInvocationLoggingConfiguration': 1,
    'BedrockClient.ListCustomModels': pages(s.customModels, page),
    'BedrockClient.GetCustomModel': s.customModels,
    'BedrockClient.ListModelCustomizationJobs': pages(s.customizationJobsInWindow, page),
    // moto's creationTimeAfter filter answers no job at all for an edge near its jobs' times (AWS: one per job in the window).
    'BedrockClient.GetModelCustomizationJob': 0,
    'BedrockClient.ListGuardrails': 1,
    'BedrockClient.ListProvisionedModelThroughputs': 1,
    'BedrockAgentClient.ListAgents': pages(s.agents, page),
    'BedrockAgentClient.GetAgent': s.agents,
    'BedrockAgentClient.ListKnowledgeBases': 1,
  };
}

/** Customization jobs described that were created before the window's edge (must be 0). */
export function customizationJobsOutsideWindow(output: CollectorOutput, s: GenerativeCounts): number {
  const firstInWindow = s.customizationJobs - s.customizationJobsInWindow;
  return output.resources
    .filter((r) => r.type === BEDROCK_CUSTOMIZATION_JOB_TYPE)
    .filter((r) => Number(/bench-tune-(\d+)$/.exec(String(r.configuration.name))?.[1] ?? -1) < firstInWindow).length;
}
