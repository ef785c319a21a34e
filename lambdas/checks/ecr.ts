import type { Soc2MlConfig } from '../config/schema';
import { ECR_REPOSITORY_TYPE, type EcrRepository, ecrRepositorySchema, repositoryOfImage } from '../evidence/resources/ecr';
import { referencesOf } from '../evidence/resources/references';
import { defineResourceCheck, type ResourceCheckSpec } from './framework';
import { fail, failureLine, pass, type Verdict } from './helpers';
import { findKmsKey } from './ml-scope';
import type { Check, CheckContext, Snapshot, SnapshotResource } from './types';

const repositoryKey = (account: string, region: string, name: string) => `${account}|${region}|${name}`;

const imageUsers = new WeakMap<CheckContext, Map<string, string>>();

/**
 * The repositories that hold ML images, each with the first collected resource running one of its
 * images (a SageMaker training or processing job, or a model container), built once per evaluation.
 */
function repositoriesInUse(context: CheckContext): Map<string, string> {
  let users = imageUsers.get(context);
  if (!users) {
    users = new Map();
    for (const snapshot of [...context.snapshots('sagemaker'), ...context.snapshots('bedrock')]) {
      for (const resource of snapshot.resources) {
        for (const image of referencesOf(resource.configuration)?.images ?? []) {
          const repository = repositoryOfImage(image);
          if (!repository) continue;
          const key = repositoryKey(repository.account, repository.region, repository.repository);
          if (!users.has(key)) users.set(key, resource.arn);
        }
      }
    }
    imageUsers.set(context, users);
  }
  return users;
}

function hasScopeTag(resource: SnapshotResource, config: Soc2MlConfig): boolean {
  const value = resource.tags[config.mlBucketTag.key];
  return value !== undefined && (config.mlBucketTag.value === undefined || value === config.mlBucketTag.value);
}

/** Why the repository holds ML images, or undefined when it does not. */
export function mlRepositoryReason(resource: SnapshotResource, context: CheckContext): string | undefined {
  const name = (resource.configuration as Partial<EcrRepository>).name ?? resource.arn.replace(/^.*:repository\//, '');
  const user = repositoriesInUse(context).get(repositoryKey(resource.account, resource.region, name));
  if (user) return `image used by ${user}`;
  return hasScopeTag(resource, context.config) ? `tagged ${context.config.mlBucketTag.key}` : undefined;
}

const repositoryCheck = (
  spec: Pick<ResourceCheckSpec<EcrRepository>, 'id' | 'passCondition' | 'remediation' | 'collectors'> & {
    judge: (c: EcrRepository, resource: SnapshotResource, snapshot: Snapshot, context: CheckContext) => Verdict;
  },
): Check =>
  defineResourceCheck({
    ...spec,
    collector: 'ecr',
    // Which repositories hold ML images comes from SageMaker evidence: missing or failed, the scope is unknown.
    collectors: spec.collectors ?? ['ecr', 'sagemaker'],
    mlScoped: true,
    type: ECR_REPOSITORY_TYPE,
    schema: ecrRepositorySchema,
    inScope: (_recorded, resource, _snapshot, context) => mlRepositoryReason(resource, context) !== undefined,
    judge: (c, resource, snapshot, context) => {
      const verdict = spec.judge(c, resource, snapshot, context);
      return { ...verdict, detail: `${verdict.detail} (${mlRepositoryReason(resource, context)})` };
    },
    population: { what: 'ECR repositories holding ML images', listApis: ['ecr:DescribeRepositories'] },
  });

const scanOnPush = repositoryCheck({
  id: 'ecr.scan_on_push',
  passCondition: 'images are scanned on push, or enhanced scanning (Amazon Inspector) covers the repository',
  remediation:
    'Add a registry scanning rule covering the repository (PutRegistryScanningConfiguration: SCAN_ON_PUSH, or ENHANCED with Inspector), or turn on the repository scanOnPush (PutImageScanningConfiguration).',
  judge: (c, _resource, snapshot) => {
    if (c.scanOnPush) return pass('imageScanningConfiguration.scanOnPush true');
    if (!c.registryScan) {
      const failed = snapshot.errors.find((e) => e.api === 'ecr:GetRegistryScanningConfiguration');
      return {
        status: 'ERROR',
        detail: `scanOnPush false and the registry scanning configuration could not be collected${failed ? `: ${failureLine(failed)}` : ''}`,
      };
    }
    const { scanType, ruleFrequency } = c.registryScan;
    if (scanType === 'ENHANCED' && ruleFrequency) return pass(`enhanced scanning (${ruleFrequency}) covers the repository`);
    if (ruleFrequency === 'SCAN_ON_PUSH') return pass(`registry ${scanType} scanning rule SCAN_ON_PUSH covers the repository`);
    return fail(`scanOnPush false and no registry scanning rule covers the repository (registry scan type ${scanType})`);
  },
});

const tagImmutability = repositoryCheck({
  id: 'ecr.tag_immutability',
  passCondition: 'image tag mutability is IMMUTABLE',
  remediation: 'Set image tag mutability to IMMUTABLE (PutImageTagMutability).',
  judge: (c) =>
    c.imageTagMutability === 'IMMUTABLE'
      ? pass('imageTagMutability IMMUTABLE')
      : fail(`imageTagMutability ${c.imageTagMutability ?? 'not returned'}: a pushed tag can be moved to another image`),
});

const kmsEncrypted = repositoryCheck({
  id: 'ecr.kms',
  passCondition: 'the repository is encrypted with a customer managed KMS key',
  remediation: 'Recreate the repository with encryptionType KMS and a customer managed key (encryption is fixed at creation).',
  collectors: ['ecr', 'sagemaker', 'kms'],
  judge: (c, resource, _snapshot, context) => {
    if (c.encryptionType !== 'KMS' && c.encryptionType !== 'KMS_DSSE')
      return fail(`encryptionType ${c.encryptionType ?? 'not returned'}, not KMS`);
    if (!c.kmsKey) return fail(`encryptionType ${c.encryptionType} with the AWS managed key aws/ecr`);
    const key = findKmsKey(context.snapshots('kms'), resource.account, resource.region, c.kmsKey);
    if (!key)
      return {
        status: 'ERROR',
        detail: `encryptionType ${c.encryptionType} with key ${c.kmsKey}, which the KMS evidence does not hold`,
      };
    const manager = key.configuration.keyManager;
    return manager === 'CUSTOMER'
      ? pass(`encryptionType ${c.encryptionType} with customer managed key ${c.kmsKey}`)
      : fail(`encryptionType ${c.encryptionType} with ${String(manager ?? 'an unknown')} managed key ${c.kmsKey}`);
  },
});

export const ECR_CHECKS: Check[] = [scanOnPush, tagImmutability, kmsEncrypted];
