import type { Soc2MlConfig } from '../config/schema';
import {
  ECR_IMAGE_TYPE,
  ECR_REPOSITORY_TYPE,
  type EcrImage,
  type EcrRepository,
  ecrImageSchema,
  ecrRepositorySchema,
  repositoryOfImage,
} from '../evidence/resources/ecr';
import { referencesOf } from '../evidence/resources/references';
import { SM_TRAINING_JOB_TYPE } from '../evidence/resources/sagemaker';
import { defineResourceCheck, type ResourceCheckSpec } from './framework';
import { fail, failureLine, pass, type Verdict } from './helpers';
import { findKmsKey } from './ml-scope';
import { sageMakerIndex } from './sagemaker/lookups';
import type { Check, CheckContext, Finding, Snapshot, SnapshotResource } from './types';

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

const mlImages = new WeakMap<CheckContext, Map<string, SnapshotResource>>();

/**
 * The images of the account's own registry that run in production or training: each image URI
 * of a model deployed on an InService endpoint or of a training job in the look-back window, with
 * the first resource running it. Images of other registries (AWS-owned framework images) are not
 * the account's to scan.
 */
function imagesInProductionOrTraining(context: CheckContext): Map<string, SnapshotResource> {
  let users = mlImages.get(context);
  if (!users) {
    users = new Map();
    for (const snapshot of context.snapshots('sagemaker')) {
      const index = sageMakerIndex(snapshot);
      const deployedModels = [...index.deployedModelNames].flatMap((name) => index.models.get(name) ?? []);
      const trainingJobs = snapshot.resources.filter((resource) => resource.type === SM_TRAINING_JOB_TYPE);
      for (const resource of [...deployedModels, ...trainingJobs]) {
        for (const image of referencesOf(resource.configuration)?.images ?? []) {
          if (repositoryOfImage(image)?.account === resource.account && !users.has(image)) users.set(image, resource);
        }
      }
    }
    mlImages.set(context, users);
  }
  return users;
}

const ACCEPTED_SCAN = ['COMPLETE', 'ACTIVE'];

function judgeScan(image: EcrImage): Verdict {
  const critical = image.severityCounts.CRITICAL ?? 0;
  const completed = image.scanCompletedAt ? ` completed ${image.scanCompletedAt}` : '';
  if (critical > 0) return fail(`latest scan${completed} has ${critical} CRITICAL finding${critical === 1 ? '' : 's'}`);
  if (image.scanStatus === null) return { status: 'ERROR', detail: 'never scanned: DescribeImages returned no imageScanStatus' };
  if (!ACCEPTED_SCAN.includes(image.scanStatus)) {
    const why = image.scanStatusDescription ? ` (${image.scanStatusDescription})` : '';
    return { status: 'ERROR', detail: `scan status ${image.scanStatus}${why}: no completed scan to judge` };
  }
  return pass(`latest scan${completed} (${image.scanStatus}) has no CRITICAL finding`);
}

/** ERROR for each image in use that the ECR evidence does not hold, in place of that region's "none in use". */
function notCollected(findings: Finding[], context: CheckContext): Finding[] {
  const judged = new Set(findings.map((finding) => finding.resource));
  const missing: Finding[] = [];
  for (const [image, user] of imagesInProductionOrTraining(context)) {
    if (judged.has(image)) continue;
    const registry = repositoryOfImage(image)!;
    missing.push({
      check: 'ecr.no_critical_findings',
      resource: image,
      account: registry.account,
      region: registry.region,
      status: 'ERROR',
      detail: `image used by ${user.arn} was not collected: the ECR evidence of ${registry.account} ${registry.region} does not describe it`,
      evidence: user.evidence,
    });
  }
  const regions = new Set(missing.map((finding) => `${finding.account}|${finding.region}`));
  const kept = findings.filter(
    (finding) => finding.status !== 'NOT_APPLICABLE' || !regions.has(`${finding.account}|${finding.region}`),
  );
  return [...kept, ...missing];
}

const noCriticalFindings = defineResourceCheck<EcrImage>({
  id: 'ecr.no_critical_findings',
  collector: 'ecr',
  // Which images are in use comes from SageMaker evidence: missing or failed, the scope is unknown.
  collectors: ['ecr', 'sagemaker'],
  mlScoped: true,
  type: ECR_IMAGE_TYPE,
  schema: ecrImageSchema,
  passCondition:
    "the latest scan of each of the account's ECR images that a model on an InService endpoint or a training job in the window runs has no CRITICAL finding",
  remediation:
    'Rebuild the image on patched base images and packages, push and scan it (scan on push, StartImageScan or enhanced scanning), and redeploy or retrain with it.',
  inScope: (_recorded, resource, _snapshot, context) => imagesInProductionOrTraining(context).has(resource.arn),
  undescribedWhat: 'image scan status',
  judge: (image, resource, _snapshot, context) => {
    const verdict = judgeScan(image);
    return {
      ...verdict,
      detail: `${verdict.detail} (image used by ${imagesInProductionOrTraining(context).get(resource.arn)?.arn})`,
    };
  },
  // Images are described one by one; listings of repositories and registry rules do not decide them.
  population: { what: 'ML images in use', listApis: [], none: 'no ML images in use', otherKindListings: /^ecr:/ },
  complete: notCollected,
});

export const ECR_CHECKS: Check[] = [scanOnPush, tagImmutability, kmsEncrypted, noCriticalFindings];
