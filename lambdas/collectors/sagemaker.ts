import {
  ListModelPackagesCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  paginateListDomains,
  paginateListEndpoints,
  paginateListFeatureGroups,
  paginateListModelPackageGroups,
  paginateListModels,
  paginateListMonitoringSchedules,
  paginateListNotebookInstanceLifecycleConfigs,
  paginateListNotebookInstances,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import pLimit from 'p-limit';
import { errorCode, errorMessage } from '../aws/errors';
import type { EvidenceResource } from '../evidence/record';
import { referencesOf } from '../evidence/resources/references';
import {
  monitoringJobDefinitionKinds,
  parseSageMakerArn,
  SM_ENDPOINT_TYPE,
  type SmEndpoint,
} from '../evidence/resources/sagemaker';
import { sageMakerService } from '../services/sagemaker/descriptor';
import { CollectionLog } from './collection-log';
import { collectListing } from './pages';
import { type EndpointTelemetry, listEndpointTelemetry, withTelemetry } from './sagemaker/endpoint-telemetry';
import { JOB_DEFINITION_APIS } from './sagemaker/job-definitions';
import { KINDS, type KindName, kindOfArnType } from './sagemaker/kinds';
import type { Collector, CollectorContext, CollectorOutput } from './types';

export const sageMakerCollector: Collector = {
  name: 'sagemaker',
  version: '1.0.0',
  global: sageMakerService.global,
  collect: collectSageMaker,
};

/** Our stand-in code for "the resource is gone", whatever way the describe API said it. */
const VANISHED = 'ResourceNotFound';
const DAY_MS = 86_400_000;

/** A page of a job listing reduced to what the look-back window needs. */
interface JobPage {
  jobs: { name: string; creationTime?: Date }[];
  nextToken?: string;
}

/** One collection run in one region: its log, its describe limiter and what it described. */
class SageMakerRun {
  readonly log: CollectionLog;
  readonly resources: EvidenceResource[] = [];
  /** Every SageMaker call of the run goes through this one limiter. */
  readonly limit: ReturnType<typeof pLimit>;
  private telemetry: Promise<EndpointTelemetry> | undefined;

  constructor(readonly context: CollectorContext) {
    this.log = new CollectionLog(context.deadline);
    this.limit = pLimit(Math.max(1, context.settings.concurrency));
  }

  get client(): SageMakerClient {
    return this.context.clients.sageMaker(this.context.region);
  }

  expectedArn(kindName: KindName, name: string): string {
    if (name.startsWith('arn:')) return name;
    const { region, account } = this.context;
    return `arn:aws:sagemaker:${region}:${account}:${KINDS[kindName].arnType}/${name.toLowerCase()}`;
  }

  /**
   * Describes one resource under the concurrency limit and the deadline guard. A resource gone
   * since it was listed becomes a note (or, for a single-resource scope, a deletion); any other
   * failure is recorded and the resource kept with its name only, so checks report it as ERROR.
   */
  describe(kindName: KindName, name: string, scopedArn?: string): Promise<EvidenceResource | undefined> {
    const kind = KINDS[kindName];
    const arn = scopedArn ?? this.expectedArn(kindName, name);
    return this.limit(async () => {
      if (!this.log.mayDescribe(arn)) return undefined;
      const outcome = await this.log.call(
        `sagemaker:${kind.describeApi}`,
        arn,
        () => vanishedAsNotFound(() => kind.describe(this.client, name, arn)),
        [VANISHED],
      );
      if (outcome.status === 'absent') {
        this.log.note(arn, `${kind.arnType} no longer exists: deleted before it could be described`);
        if (scopedArn) this.log.deleted.push(scopedArn);
        return undefined;
      }
      const { region } = this.context;
      const resource: EvidenceResource =
        outcome.status === 'ok'
          ? { arn: outcome.value.arn, type: kind.type, region, configuration: outcome.value.configuration, tags: {} }
          : { arn, type: kind.type, region, configuration: { name }, tags: {} };
      this.resources.push(resource);
      return resource;
    });
  }

  /** Lists names page by page; a listing that fails part-way keeps what it read and says so. */
  async list(api: string, pages: () => AsyncIterable<string[]>): Promise<string[]> {
    const listing = await this.limit(() => collectListing(this.log, `sagemaker:${api}`, pages, (page) => page));
    return listing.items;
  }

  async listAndDescribe(kindName: KindName, api: string, pages: () => AsyncIterable<string[]>): Promise<EvidenceResource[]> {
    const names = await this.list(api, pages);
    const described = await Promise.all(names.map((name) => this.describe(kindName, name)));
    this.context.progress?.(`sagemaker ${this.context.region}: ${names.length} ${KINDS[kindName].arnType}`);
    return described.filter((r): r is EvidenceResource => r !== undefined);
  }

  /**
   * Jobs newest first, created inside the look-back window. Paging stops at the first job
   * older than the window even if the API ignored CreationTimeAfter, so old jobs cost nothing.
   */
  jobsInWindow(fetchPage: (cutoff: Date, nextToken?: string) => Promise<JobPage>): () => AsyncIterable<string[]> {
    const cutoff = new Date(this.context.clock().getTime() - this.context.settings.lookbackDays * DAY_MS);
    return async function* () {
      let nextToken: string | undefined;
      do {
        const page = await fetchPage(cutoff, nextToken);
        const inWindow = page.jobs.filter((job) => !job.creationTime || job.creationTime >= cutoff);
        yield inWindow.map((job) => job.name);
        if (inWindow.length < page.jobs.length) return;
        nextToken = page.nextToken;
      } while (nextToken);
    };
  }

  endpointTelemetry(): Promise<EndpointTelemetry> {
    this.telemetry ??= listEndpointTelemetry(this.context, this.log);
    return this.telemetry;
  }

  /** Adds alarms and scaling to InService endpoints (the ones the availability checks judge). */
  async addTelemetry(endpoints: EvidenceResource[]): Promise<void> {
    const inService = endpoints.filter((r) => (r.configuration as Partial<SmEndpoint>).status === 'InService');
    if (inService.length === 0) return;
    const telemetry = await this.endpointTelemetry();
    for (const resource of inService) resource.configuration = withTelemetry(resource.configuration as SmEndpoint, telemetry);
  }

  /** The endpoint configs behind described endpoints, each once. */
  async describeEndpointConfigs(endpoints: EvidenceResource[]): Promise<void> {
    const names = new Set(
      endpoints
        .map((r) => (r.configuration as Partial<SmEndpoint>).endpointConfigName)
        .filter((name): name is string => typeof name === 'string'),
    );
    await Promise.all([...names].map((name) => this.describe('endpointConfig', name)));
  }

  output(): CollectorOutput {
    return { resources: this.resources, ...this.log.output() };
  }
}

/** SageMaker resources of one region, with their endpoints' alarms and scaling, or one resource. */
export async function collectSageMaker(context: CollectorContext): Promise<CollectorOutput> {
  const run = new SageMakerRun(context);
  if (context.scope.type === 'resource') await collectOne(run, context.scope.resource);
  else await collectAll(run);
  return run.output();
}

/** One page of job history, newest first, never older than the look-back window's edge. */
function newestFirstSince(cutoff: Date, nextToken: string | undefined) {
  return {
    SortBy: 'CreationTime',
    SortOrder: 'Descending',
    CreationTimeAfter: cutoff,
    MaxResults: sageMakerService.pageSizes.listings,
    NextToken: nextToken,
  } as const;
}

async function collectAll(run: SageMakerRun): Promise<void> {
  const client = run.client;
  const names = <T>(pick: (page: T) => (string | undefined)[]) =>
    async function* (pages: AsyncIterable<T>) {
      for await (const page of pages) yield pick(page).filter((n): n is string => typeof n === 'string');
    };

  const [notebooks, lifecycleConfigs, , , , models, endpoints, packages] = await Promise.all([
    run.listAndDescribe('notebook', 'ListNotebookInstances', () =>
      names((p: { NotebookInstances?: { NotebookInstanceName?: string }[] }) =>
        (p.NotebookInstances ?? []).map((n) => n.NotebookInstanceName),
      )(paginateListNotebookInstances({ client, pageSize: sageMakerService.pageSizes.listings }, {})),
    ),
    run.listAndDescribe('lifecycleConfig', 'ListNotebookInstanceLifecycleConfigs', () =>
      names((p: { NotebookInstanceLifecycleConfigs?: { NotebookInstanceLifecycleConfigName?: string }[] }) =>
        (p.NotebookInstanceLifecycleConfigs ?? []).map((n) => n.NotebookInstanceLifecycleConfigName),
      )(paginateListNotebookInstanceLifecycleConfigs({ client, pageSize: sageMakerService.pageSizes.listings }, {})),
    ),
    run.listAndDescribe('domain', 'ListDomains', () =>
      names((p: { Domains?: { DomainId?: string }[] }) => (p.Domains ?? []).map((d) => d.DomainId))(
        paginateListDomains({ client, pageSize: sageMakerService.pageSizes.listings }, {}),
      ),
    ),
    run.listAndDescribe(
      'trainingJob',
      'ListTrainingJobs',
      run.jobsInWindow(async (cutoff, nextToken) => {
        const page = await client.send(new ListTrainingJobsCommand(newestFirstSince(cutoff, nextToken)));
        return {
          jobs: (page.TrainingJobSummaries ?? []).map((j) => ({ name: j.TrainingJobName ?? '', creationTime: j.CreationTime })),
          nextToken: page.NextToken,
        };
      }),
    ),
    run.listAndDescribe(
      'processingJob',
      'ListProcessingJobs',
      run.jobsInWindow(async (cutoff, nextToken) => {
        const page = await client.send(new ListProcessingJobsCommand(newestFirstSince(cutoff, nextToken)));
        return {
          jobs: (page.ProcessingJobSummaries ?? []).map((j) => ({
            name: j.ProcessingJobName ?? '',
            creationTime: j.CreationTime,
          })),
          nextToken: page.NextToken,
        };
      }),
    ),
    run.listAndDescribe('model', 'ListModels', () =>
      names((p: { Models?: { ModelName?: string }[] }) => (p.Models ?? []).map((m) => m.ModelName))(
        paginateListModels({ client, pageSize: sageMakerService.pageSizes.listings }, {}),
      ),
    ),
    run.listAndDescribe('endpoint', 'ListEndpoints', () =>
      names((p: { Endpoints?: { EndpointName?: string }[] }) => (p.Endpoints ?? []).map((e) => e.EndpointName))(
        paginateListEndpoints({ client, pageSize: sageMakerService.pageSizes.listings }, {}),
      ),
    ),
    describeLatestModelPackages(run),
    run.listAndDescribe('monitoringSchedule', 'ListMonitoringSchedules', () =>
      names((p: { MonitoringScheduleSummaries?: { MonitoringScheduleName?: string }[] }) =>
        (p.MonitoringScheduleSummaries ?? []).map((s) => s.MonitoringScheduleName),
      )(paginateListMonitoringSchedules({ client, pageSize: sageMakerService.pageSizes.listings }, {})),
    ),
    ...monitoringJobDefinitionKinds.map((definitionKind) =>
      run.listAndDescribe(definitionKind, JOB_DEFINITION_APIS[definitionKind].listApi, () =>
        names((p: { JobDefinitionSummaries?: { MonitoringJobDefinitionName?: string }[] }) =>
          (p.JobDefinitionSummaries ?? []).map((s) => s.MonitoringJobDefinitionName),
        )(JOB_DEFINITION_APIS[definitionKind].list(client)),
      ),
    ),
    run.listAndDescribe('featureGroup', 'ListFeatureGroups', () =>
      names((p: { FeatureGroupSummaries?: { FeatureGroupName?: string }[] }) =>
        (p.FeatureGroupSummaries ?? []).map((g) => g.FeatureGroupName),
      )(paginateListFeatureGroups({ client, pageSize: sageMakerService.pageSizes.listings }, {})),
    ),
  ]);

  await Promise.all([
    run.describeEndpointConfigs(endpoints),
    run.addTelemetry(endpoints),
    describeReferenced(run, 'modelPackage', models, packages, (arn) => arn),
    describeReferenced(run, 'lifecycleConfig', notebooks, lifecycleConfigs, (arn) => parseSageMakerArn(arn)?.name ?? arn),
  ]);
}

/** The newest version of every model package group: what would be deployed next. */
async function describeLatestModelPackages(run: SageMakerRun): Promise<EvidenceResource[]> {
  const client = run.client;
  const groups = await run.list('ListModelPackageGroups', async function* () {
    for await (const page of paginateListModelPackageGroups({ client, pageSize: sageMakerService.pageSizes.listings }, {})) {
      yield (page.ModelPackageGroupSummaryList ?? [])
        .map((g) => g.ModelPackageGroupName)
        .filter((n): n is string => typeof n === 'string');
    }
  });
  const described = await Promise.all(
    groups.map(async (group) => {
      const groupArn = run.expectedArn('modelPackage', group).replace(':model-package/', ':model-package-group/');
      const latest = await run.limit(() =>
        run.log.call('sagemaker:ListModelPackages', groupArn, () =>
          client.send(
            new ListModelPackagesCommand({
              ModelPackageGroupName: group,
              SortBy: 'CreationTime',
              SortOrder: 'Descending',
              MaxResults: 1,
            }),
          ),
        ),
      );
      const arn = latest.status === 'ok' ? latest.value.ModelPackageSummaryList?.[0]?.ModelPackageArn : undefined;
      return arn ? run.describe('modelPackage', arn) : undefined;
    }),
  );
  return described.filter((r): r is EvidenceResource => r !== undefined);
}

/**
 * Resources that collected ones depend on but that no listing returned: the package a model
 * was built from when it is not the newest of its group, the lifecycle config of a notebook
 * when the lifecycle listing failed. Each is described once.
 */
async function describeReferenced(
  run: SageMakerRun,
  kindName: KindName,
  dependents: EvidenceResource[],
  known: EvidenceResource[],
  nameOf: (arn: string) => string,
): Promise<void> {
  const knownArns = new Set(known.map((r) => r.arn.toLowerCase()));
  const wanted = new Map<string, string>();
  for (const dependent of dependents) {
    for (const arn of referencesOf(dependent.configuration)?.resources ?? []) {
      const isKind = parseSageMakerArn(arn)?.resourceType === KINDS[kindName].arnType;
      if (isKind && !knownArns.has(arn.toLowerCase())) wanted.set(arn.toLowerCase(), arn);
    }
  }
  await Promise.all([...wanted.values()].map((arn) => run.describe(kindName, nameOf(arn))));
}

/** A single-resource scope: that resource only, plus an endpoint's config, alarms and scaling. */
async function collectOne(run: SageMakerRun, arn: string): Promise<void> {
  const parsed = parseSageMakerArn(arn);
  const kindName = parsed ? kindOfArnType(parsed.resourceType) : undefined;
  if (!parsed || !kindName) {
    run.log.error('sagemaker:scope', arn, {
      name: 'UnsupportedResource',
      message: 'not a SageMaker resource ARN this collector describes',
    });
    return;
  }
  // The ARN lower-cases the name; Describe* wants it as created, which the event gave us.
  const { scope } = run.context;
  const asWritten = scope.type === 'resource' && scope.name?.toLowerCase() === parsed.name ? scope.name : undefined;
  const name = kindName === 'modelPackage' ? arn : (asWritten ?? parsed.name);
  const resource = await run.describe(kindName, name, arn);
  if (resource?.type === SM_ENDPOINT_TYPE) {
    await Promise.all([run.describeEndpointConfigs([resource]), run.addTelemetry([resource])]);
  }
}

/**
 * SageMaker says "gone" in several ways (ResourceNotFound, or ValidationException "Could not
 * find ..."); all of them become one code the log treats as absent.
 */
async function vanishedAsNotFound<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = errorCode(err);
    const gone =
      code === 'ResourceNotFound' ||
      code === 'ResourceNotFoundException' ||
      (code === 'ValidationException' && /could not find|does not exist|not found/i.test(errorMessage(err)));
    if (!gone) throw err;
    throw Object.assign(new Error(errorMessage(err)), { name: VANISHED });
  }
}
