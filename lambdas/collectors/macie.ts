import {
  DescribeClassificationJobCommand,
  GetAutomatedDiscoveryConfigurationCommand,
  GetClassificationScopeCommand,
  GetMacieSessionCommand,
  type Macie2Client,
  paginateListClassificationJobs,
} from '@aws-sdk/client-macie2';
import type { EvidenceResource } from '../evidence/record';
import { MACIE_SESSION_TYPE, type MacieSessionConfiguration } from '../evidence/resources/macie';
import { macieService } from '../services/macie/descriptor';
import { CollectionLog } from './collection-log';
import { callUnlessNotEnabled } from './not-enabled';
import { collectListing, iso } from './pages';
import type { Collector, CollectorContext, CollectorOutput } from './types';

/**
 * Where Macie was never enabled (or was disabled), GetMacieSession answers AccessDeniedException
 * "Macie is not enabled" rather than a not-found error: AWS Config documents recording exactly
 * that for the AWS::Macie::Session resource ("Macie not enabled means false positive
 * AccessDeniedExceptions in CloudTrail", https://repost.aws/questions/QU8ZC1xd9BQV2vnGkod7gQww),
 * and the Macie API reference says every operation but EnableMacie needs an enabled account
 * (https://docs.aws.amazon.com/macie/latest/APIReference/macie.html). A missing permission
 * answers the same code with "is not authorized": that one stays an error.
 */
const NOT_ENABLED = { code: 'AccessDeniedException', message: /Macie is not enabled/i };

export const macieCollector: Collector = {
  name: 'macie',
  version: '1.0.0',
  global: macieService.global,
  collect: collectMacie,
};

/**
 * Macie's status in the region, automated discovery with the buckets its scope excludes, and the
 * classification jobs with the buckets they name and their last run. Only configuration is read:
 * never findings, their samples or sensitive data occurrences.
 */
export async function collectMacie(context: CollectorContext): Promise<CollectorOutput> {
  const log = new CollectionLog(context.deadline);
  const macie = context.clients.macie(context.region);
  const arn = `arn:aws:iam::${context.account}:root`;
  const session = await callUnlessNotEnabled(
    log,
    'macie2:GetMacieSession',
    () => macie.send(new GetMacieSessionCommand({})),
    NOT_ENABLED,
  );
  const resources: EvidenceResource[] = [];
  if (session.status === 'absent') {
    const configuration: MacieSessionConfiguration = { status: 'NOT_ENABLED' };
    resources.push({ arn, type: MACIE_SESSION_TYPE, region: context.region, configuration, tags: {} });
  }
  if (session.status === 'ok') {
    const configuration: MacieSessionConfiguration = { status: session.value.status ?? 'UNKNOWN' };
    const automatedDiscovery = await automatedDiscoveryOf(log, macie);
    if (automatedDiscovery) configuration.automatedDiscovery = automatedDiscovery;
    const jobs = await jobsOf(log, macie, context);
    if (jobs) configuration.jobs = jobs;
    resources.push({ arn, type: MACIE_SESSION_TYPE, region: context.region, configuration, tags: {} });
  }
  context.progress?.(`macie ${context.region}: ${session.status === 'absent' ? 'not enabled' : session.status}`);
  return { resources, ...log.output() };
}

async function automatedDiscoveryOf(
  log: CollectionLog,
  macie: Macie2Client,
): Promise<MacieSessionConfiguration['automatedDiscovery']> {
  const answer = await log.call('macie2:GetAutomatedDiscoveryConfiguration', undefined, () =>
    macie.send(new GetAutomatedDiscoveryConfigurationCommand({})),
  );
  if (answer.status !== 'ok') return undefined;
  const status = answer.value.status ?? 'UNKNOWN';
  const scopeId = answer.value.classificationScopeId;
  if (status !== 'ENABLED' || !scopeId) return { status };
  const scope = await log.call('macie2:GetClassificationScope', undefined, () =>
    macie.send(new GetClassificationScopeCommand({ id: scopeId })),
  );
  return scope.status === 'ok' ? { status, excludedBuckets: scope.value.s3?.excludes?.bucketNames ?? [] } : { status };
}

async function jobsOf(
  log: CollectionLog,
  macie: Macie2Client,
  context: CollectorContext,
): Promise<MacieSessionConfiguration['jobs']> {
  const listed = await collectListing(
    log,
    'macie2:ListClassificationJobs',
    () => paginateListClassificationJobs({ client: macie, pageSize: macieService.pageSizes.jobs }, {}),
    (page) => page.items,
  );
  if (!listed.complete) return undefined;
  const jobs: NonNullable<MacieSessionConfiguration['jobs']> = [];
  for (const job of listed.items) {
    if (!job.jobId) continue;
    // The summary has no last run time: DescribeClassificationJob has it (and no finding data).
    const described = await log.call('macie2:DescribeClassificationJob', undefined, () =>
      macie.send(new DescribeClassificationJobCommand({ jobId: job.jobId })),
    );
    if (described.status !== 'ok') return undefined;
    const definition = described.value.s3JobDefinition;
    const lastRunTime = iso(described.value.lastRunTime);
    const lastRunError = described.value.lastRunErrorStatus?.code;
    jobs.push({
      jobId: job.jobId,
      ...(job.name ? { name: job.name } : {}),
      status: described.value.jobStatus ?? job.jobStatus ?? 'UNKNOWN',
      type: described.value.jobType ?? job.jobType ?? 'UNKNOWN',
      ...(lastRunTime ? { lastRunTime } : {}),
      ...(lastRunError ? { lastRunError } : {}),
      buckets: (definition?.bucketDefinitions ?? []).flatMap((d) =>
        (d.buckets ?? []).map((name) => ({ account: d.accountId ?? context.account, name })),
      ),
      byCriteria: definition?.bucketCriteria !== undefined,
    });
  }
  return jobs;
}
