import { CreateModelCustomizationJobCommand } from '@aws-sdk/client-bedrock';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import type { AwsClientFactory } from '../aws/clients';
import type { PlantedMisconfiguration } from './demo-seed';

/**
 * The demo account's generative-AI and container estate: a Bedrock fine-tuning job run outside
 * any VPC with model invocation logging never turned on, and the team's training-image repository
 * (tagged as ML) with mutable tags, no scanning and AWS-owned encryption. The emulator gives every
 * custom model a made-up KMS key, so an unencrypted custom model cannot be planted here.
 */
export async function seedGenerativeAi(
  clients: AwsClientFactory,
  account: string,
  roleArn: string,
  scopeTag: { key: string; value: string },
): Promise<PlantedMisconfiguration[]> {
  const region = clients.settings.region;
  const job = await clients.bedrock(region).send(
    new CreateModelCustomizationJobCommand({
      jobName: 'support-assistant-tune-2026-11',
      customModelName: 'support-assistant-titan',
      roleArn,
      baseModelIdentifier: 'amazon.titan-text-express-v1',
      trainingDataConfig: { s3Uri: 's3://acme-ml-training-data/support/2026-11/train.jsonl' },
      outputDataConfig: { s3Uri: 's3://acme-ml-model-artifacts/bedrock/' },
      hyperParameters: { epochCount: '2', batchSize: '8', learningRate: '0.00001' },
    }),
  );
  const repository = await clients.ecr(region).send(
    new CreateRepositoryCommand({
      repositoryName: 'acme/churn-trainer',
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      tags: [{ Key: scopeTag.key, Value: scopeTag.value }],
    }),
  );
  const repositoryArn = repository.repository!.repositoryArn!;
  return [
    {
      check: 'bedrock.invocation_logging',
      resource: `arn:aws:iam::${account}:root`,
      description: 'Bedrock in use with model invocation logging off',
    },
    { check: 'bedrock.customization_job_vpc', resource: job.jobArn!, description: 'Bedrock fine-tuning job outside any VPC' },
    { check: 'ecr.tag_immutability', resource: repositoryArn, description: 'training-image repository with mutable tags' },
    { check: 'ecr.scan_on_push', resource: repositoryArn, description: 'training-image repository never scanned' },
    { check: 'ecr.kms', resource: repositoryArn, description: 'training-image repository without a customer managed key' },
  ];
}
