import {
  DescribeRepositoriesCommand,
  type ECRClient,
  GetRegistryScanningConfigurationCommand,
  ListTagsForResourceCommand,
  paginateDescribeRepositories,
  type RegistryScanningConfiguration,
  type Repository,
} from '@aws-sdk/client-ecr';
import pLimit from 'p-limit';
import type { EvidenceResource } from '../evidence/record';
import { ECR_REPOSITORY_TYPE, type EcrRepository } from '../evidence/resources/ecr';
import { ecrService } from '../services/ecr/descriptor';
import { CollectionLog } from './collection-log';
import { collectListing } from './pages';
import type { Collector, CollectorContext, CollectorOutput } from './types';

export const ecrCollector: Collector = {
  name: 'ecr',
  version: '1.0.0',
  global: ecrService.global,
  collect: collectEcr,
};

const VANISHED = ['RepositoryNotFoundException'];

/** ECR wildcard filters: `*` matches any run of characters, everything else itself. */
function matchesFilter(filter: string, name: string): boolean {
  const pattern = filter
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(name);
}

/**
 * The registry scanning rule that applies to a repository (GetRegistryScanningConfiguration:
 * rules with WILDCARD repository filters; the first matching rule decides its frequency).
 */
export function registryScanFor(configuration: RegistryScanningConfiguration | undefined, repository: string) {
  const rule = (configuration?.rules ?? []).find((r) =>
    (r.repositoryFilters ?? []).some((f) => f.filter !== undefined && matchesFilter(f.filter, repository)),
  );
  return { scanType: configuration?.scanType ?? 'BASIC', ruleFrequency: rule?.scanFrequency ?? null };
}

export function normaliseRepository(
  repository: Repository,
  registry: RegistryScanningConfiguration | undefined | 'failed',
): EcrRepository {
  const name = repository.repositoryName ?? '';
  return {
    name,
    uri: repository.repositoryUri ?? null,
    imageTagMutability: repository.imageTagMutability ?? null,
    scanOnPush: repository.imageScanningConfiguration?.scanOnPush === true,
    encryptionType: repository.encryptionConfiguration?.encryptionType ?? null,
    kmsKey: repository.encryptionConfiguration?.kmsKey ?? null,
    ...(registry === 'failed' ? {} : { registryScan: registryScanFor(registry, name) }),
  };
}

/** ECR repositories of one region with their scanning, tag mutability, encryption and tags; or one repository. */
export async function collectEcr(context: CollectorContext): Promise<CollectorOutput> {
  const log = new CollectionLog(context.deadline);
  const ecr = context.clients.ecr(context.region);
  const registryOutcome = await log.call('ecr:GetRegistryScanningConfiguration', undefined, () =>
    ecr.send(new GetRegistryScanningConfigurationCommand({})),
  );
  const registry = registryOutcome.status === 'ok' ? registryOutcome.value.scanningConfiguration : 'failed';

  let repositories: Repository[];
  if (context.scope.type === 'all') {
    repositories = (
      await collectListing(
        log,
        'ecr:DescribeRepositories',
        () => paginateDescribeRepositories({ client: ecr, pageSize: ecrService.pageSizes.repositories }, {}),
        (page) => page.repositories,
      )
    ).items;
  } else {
    const one = await describeOne(log, ecr, context.scope.resource);
    if (one === 'failed') {
      // Kept by name: checks report ERROR citing the failed call, never judge defaults.
      const stub = { name: context.scope.resource.replace(/^.*:repository\//, '') };
      return {
        resources: [
          { arn: context.scope.resource, type: ECR_REPOSITORY_TYPE, region: context.region, configuration: stub, tags: {} },
        ],
        ...log.output(),
      };
    }
    repositories = one;
  }

  const limit = pLimit(Math.max(1, context.settings.concurrency));
  const resources = await Promise.all(
    repositories.map((repository) =>
      limit(async (): Promise<EvidenceResource> => {
        const arn = repository.repositoryArn ?? '';
        const tags: Record<string, string> = {};
        if (log.mayDescribe(arn)) {
          const listed = await log.call('ecr:ListTagsForResource', arn, () =>
            ecr.send(new ListTagsForResourceCommand({ resourceArn: arn })),
          );
          if (listed.status === 'ok') for (const tag of listed.value.tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
        }
        return {
          arn,
          type: ECR_REPOSITORY_TYPE,
          region: context.region,
          configuration: normaliseRepository(repository, registry),
          tags,
        };
      }),
    ),
  );
  context.progress?.(`ecr ${context.region}: ${resources.length} repositories`);
  return { resources, ...log.output() };
}

const REPOSITORY_ARN = /^arn:aws[a-z-]*:ecr:[^:]*:(\d{12}):repository\/(.+)$/;

async function describeOne(log: CollectionLog, ecr: ECRClient, arn: string): Promise<Repository[] | 'failed'> {
  const parsed = REPOSITORY_ARN.exec(arn);
  if (!parsed) {
    log.error('ecr:scope', arn, { name: 'UnsupportedResource', message: 'not an ECR repository ARN' });
    return [];
  }
  const outcome = await log.call(
    'ecr:DescribeRepositories',
    arn,
    () => ecr.send(new DescribeRepositoriesCommand({ registryId: parsed[1], repositoryNames: [parsed[2]!] })),
    VANISHED,
  );
  if (outcome.status === 'absent') {
    log.note(arn, 'repository no longer exists');
    log.deleted.push(arn);
    return [];
  }
  if (outcome.status === 'failed') return 'failed';
  return outcome.value.repositories ?? [];
}
