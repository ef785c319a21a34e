import {
  type BedrockClient,
  GetCustomModelCommand,
  GetGuardrailCommand,
  GetModelCustomizationJobCommand,
  GetModelInvocationLoggingConfigurationCommand,
  ListModelCustomizationJobsCommand,
  paginateListCustomModels,
  paginateListGuardrails,
  paginateListProvisionedModelThroughputs,
} from '@aws-sdk/client-bedrock';
import {
  type BedrockAgentClient,
  type DataSource,
  GetAgentCommand,
  GetDataSourceCommand,
  GetKnowledgeBaseCommand,
  paginateListAgents,
  paginateListDataSources,
  paginateListKnowledgeBases,
} from '@aws-sdk/client-bedrock-agent';
import pLimit from 'p-limit';
import type { EvidenceResource } from '../../evidence/record';
import {
  BEDROCK_AGENT_TYPE,
  BEDROCK_CUSTOM_MODEL_TYPE,
  BEDROCK_CUSTOMIZATION_JOB_TYPE,
  BEDROCK_GUARDRAIL_TYPE,
  BEDROCK_KNOWLEDGE_BASE_TYPE,
  BEDROCK_LOGGING_TYPE,
  BEDROCK_PROVISIONED_THROUGHPUT_TYPE,
} from '../../evidence/resources/bedrock';
import { bedrockService } from '../../services/bedrock/descriptor';
import { CollectionLog } from '../collection-log';
import { collectListing, collectPages } from '../pages';
import type { Collector, CollectorContext, CollectorOutput } from '../types';
import {
  accountRoot,
  normaliseAgent,
  normaliseCustomizationJob,
  normaliseCustomModel,
  normaliseGuardrail,
  normaliseKnowledgeBase,
  normaliseLogging,
  normaliseProvisioned,
} from './normalise';

export * from './normalise';

export const bedrockCollector: Collector = {
  name: 'bedrock',
  version: '1.0.0',
  global: bedrockService.global,
  collect: collectBedrock,
};

const BEDROCK_PAGE_SIZE = bedrockService.pageSizes.listings;
const VANISHED = ['ResourceNotFoundException'];
const DAY_MS = 86_400_000;

/** A kind of Bedrock resource described one by one: its ARN's resource type and its Get call. */
interface DescribedKind {
  type: string;
  arnType: string;
  api: string;
  describe(run: BedrockRun, identifier: string): Promise<{ arn: string | undefined; configuration: Record<string, unknown> }>;
}

const KINDS = {
  customModel: {
    type: BEDROCK_CUSTOM_MODEL_TYPE,
    arnType: 'custom-model',
    api: 'bedrock:GetCustomModel',
    describe: async (run, id) => {
      const answer = await run.bedrock.send(new GetCustomModelCommand({ modelIdentifier: id }));
      return { arn: answer.modelArn, configuration: normaliseCustomModel(answer) };
    },
  },
  customizationJob: {
    type: BEDROCK_CUSTOMIZATION_JOB_TYPE,
    arnType: 'model-customization-job',
    api: 'bedrock:GetModelCustomizationJob',
    describe: async (run, id) => {
      const answer = await run.bedrock.send(new GetModelCustomizationJobCommand({ jobIdentifier: id }));
      return { arn: answer.jobArn, configuration: normaliseCustomizationJob(answer) };
    },
  },
  guardrail: {
    type: BEDROCK_GUARDRAIL_TYPE,
    arnType: 'guardrail',
    api: 'bedrock:GetGuardrail',
    describe: async (run, id) => {
      const answer = await run.bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: id }));
      return { arn: answer.guardrailArn, configuration: normaliseGuardrail(answer) };
    },
  },
  agent: {
    type: BEDROCK_AGENT_TYPE,
    arnType: 'agent',
    api: 'bedrock:GetAgent',
    describe: async (run, id) => {
      const answer = await run.agents.send(new GetAgentCommand({ agentId: id.replace(/^arn:.*:agent\//, '') }));
      return { arn: answer.agent?.agentArn, configuration: normaliseAgent(answer) };
    },
  },
  knowledgeBase: {
    type: BEDROCK_KNOWLEDGE_BASE_TYPE,
    arnType: 'knowledge-base',
    api: 'bedrock:GetKnowledgeBase',
    describe: async (run, id) => {
      const knowledgeBaseId = id.replace(/^arn:.*:knowledge-base\//, '');
      const answer = await run.agents.send(new GetKnowledgeBaseCommand({ knowledgeBaseId }));
      const arn = answer.knowledgeBase?.knowledgeBaseArn;
      return { arn, configuration: normaliseKnowledgeBase(answer.knowledgeBase, await run.dataSources(knowledgeBaseId, arn)) };
    },
  },
} satisfies Record<string, DescribedKind>;
type KindName = keyof typeof KINDS;

/** A listed resource: the identifier its Get call takes (the name or id: accepted everywhere), its name and ARN. */
interface Listed {
  id: string;
  name: string;
  arn?: string;
}
const listed = (id: string | undefined, arn?: string): Listed => ({
  id: id ?? arn ?? '',
  name: id ?? '',
  ...(arn ? { arn } : {}),
});

/** One collection run in one region: its log, its limiter and what it described. */
class BedrockRun {
  readonly log: CollectionLog;
  readonly resources: EvidenceResource[] = [];
  readonly limit: ReturnType<typeof pLimit>;

  constructor(readonly context: CollectorContext) {
    this.log = new CollectionLog(context.deadline);
    this.limit = pLimit(Math.max(1, context.settings.concurrency));
  }

  get bedrock(): BedrockClient {
    return this.context.clients.bedrock(this.context.region);
  }

  get agents(): BedrockAgentClient {
    return this.context.clients.bedrockAgent(this.context.region);
  }

  arnOf(kind: KindName, id: string): string {
    if (id.startsWith('arn:')) return id;
    return `arn:aws:bedrock:${this.context.region}:${this.context.account}:${KINDS[kind].arnType}/${id}`;
  }

  /** Describes one resource; a failure keeps it by name so checks report ERROR, a vanished one is a note. */
  describe(kindName: KindName, item: Listed, scoped?: string): Promise<void> {
    const kind: DescribedKind = KINDS[kindName];
    const { id, name } = item;
    const arn = scoped ?? item.arn ?? this.arnOf(kindName, id);
    return this.limit(async () => {
      if (!this.log.mayDescribe(arn)) return;
      const outcome = await this.log.call(kind.api, arn, () => kind.describe(this, id), VANISHED);
      if (outcome.status === 'absent') {
        this.log.note(arn, `${kind.arnType} no longer exists: deleted before it could be described`);
        if (scoped) this.log.deleted.push(scoped);
        return;
      }
      const { region } = this.context;
      this.resources.push(
        outcome.status === 'ok'
          ? { arn: outcome.value.arn ?? arn, type: kind.type, region, configuration: outcome.value.configuration, tags: {} }
          : { arn, type: kind.type, region, configuration: { name }, tags: {} },
      );
    });
  }

  async logging(): Promise<void> {
    const arn = accountRoot(this.context.account);
    // Recorded without a resource: like a listing, its failure leaves the region's setting unknown.
    const outcome = await this.log.call('bedrock:GetModelInvocationLoggingConfiguration', undefined, () =>
      this.bedrock.send(new GetModelInvocationLoggingConfigurationCommand({})),
    );
    if (outcome.status !== 'ok') return;
    this.resources.push({
      arn,
      type: BEDROCK_LOGGING_TYPE,
      region: this.context.region,
      configuration: normaliseLogging(outcome.value.loggingConfig),
      tags: {},
    });
  }

  /** Lists (a failure part-way keeps what was read, recorded without a resource) and describes each. */
  async listAndDescribe<Page>(
    kind: KindName,
    api: string,
    pages: () => AsyncIterable<Page>,
    items: (page: Page) => Listed[],
  ): Promise<void> {
    const listed = await collectListing(this.log, api, pages, items);
    await Promise.all(listed.items.map((item) => this.describe(kind, item)));
    this.context.progress?.(`bedrock ${this.context.region}: ${listed.items.length} ${KINDS[kind].arnType}`);
  }

  /**
   * Customization jobs newest first, created inside the look-back window; paging stops at the
   * first older job even if the API ignored creationTimeAfter, so old jobs cost nothing.
   */
  jobsInWindow(): () => AsyncIterable<Listed[]> {
    const cutoff = new Date(this.context.clock().getTime() - this.context.settings.lookbackDays * DAY_MS);
    const bedrock = this.bedrock;
    return async function* () {
      let nextToken: string | undefined;
      do {
        const page = await bedrock.send(
          new ListModelCustomizationJobsCommand({
            creationTimeAfter: cutoff,
            sortBy: 'CreationTime',
            sortOrder: 'Descending',
            maxResults: BEDROCK_PAGE_SIZE,
            nextToken,
          }),
        );
        const jobs = page.modelCustomizationJobSummaries ?? [];
        const inWindow = jobs.filter((job) => !job.creationTime || job.creationTime >= cutoff);
        yield inWindow.map((job) => listed(job.jobName, job.jobArn));
        if (inWindow.length < jobs.length) return;
        nextToken = page.nextToken;
      } while (nextToken);
    };
  }

  /** A knowledge base's data sources, each described; undefined (and the failure recorded) when any call failed. */
  async dataSources(knowledgeBaseId: string, arn: string | undefined): Promise<DataSource[] | undefined> {
    const agents = this.agents;
    const listed = await collectPages(
      this.log,
      'bedrock:ListDataSources',
      arn,
      () => paginateListDataSources({ client: agents, pageSize: BEDROCK_PAGE_SIZE }, { knowledgeBaseId }),
      (page) => page.dataSourceSummaries,
    );
    if (!listed) return undefined;
    const described = await Promise.all(
      listed.map((summary) =>
        this.log.call('bedrock:GetDataSource', arn, () =>
          agents.send(new GetDataSourceCommand({ knowledgeBaseId, dataSourceId: summary.dataSourceId })),
        ),
      ),
    );
    const sources = described.map((outcome) => (outcome.status === 'ok' ? outcome.value.dataSource : undefined));
    return sources.every((source): source is DataSource => source !== undefined) ? sources : undefined;
  }

  async provisionedThroughputs(): Promise<void> {
    const bedrock = this.bedrock;
    const listed = await collectListing(
      this.log,
      'bedrock:ListProvisionedModelThroughputs',
      () => paginateListProvisionedModelThroughputs({ client: bedrock, pageSize: BEDROCK_PAGE_SIZE }, {}),
      (page) => page.provisionedModelSummaries,
    );
    for (const summary of listed.items) {
      if (!summary.provisionedModelArn) continue;
      this.resources.push({
        arn: summary.provisionedModelArn,
        type: BEDROCK_PROVISIONED_THROUGHPUT_TYPE,
        region: this.context.region,
        configuration: normaliseProvisioned(summary),
        tags: {},
      });
    }
  }
}

/** Bedrock's control-plane configuration in one region (never a data-plane call), or one resource. */
export async function collectBedrock(context: CollectorContext): Promise<CollectorOutput> {
  const run = new BedrockRun(context);
  if (context.scope.type === 'resource') await collectOne(run, context.scope.resource);
  else await collectAll(run);
  return { resources: run.resources, ...run.log.output() };
}

async function collectAll(run: BedrockRun): Promise<void> {
  const { bedrock, agents } = run;
  await Promise.all([
    run.logging(),
    run.listAndDescribe(
      'customModel',
      'bedrock:ListCustomModels',
      () =>
        paginateListCustomModels(
          { client: bedrock, pageSize: BEDROCK_PAGE_SIZE },
          { sortBy: 'CreationTime', sortOrder: 'Descending' },
        ),
      (page) => (page.modelSummaries ?? []).map((m) => listed(m.modelName, m.modelArn)),
    ),
    run.listAndDescribe('customizationJob', 'bedrock:ListModelCustomizationJobs', run.jobsInWindow(), (page) => page),
    run.listAndDescribe(
      'guardrail',
      'bedrock:ListGuardrails',
      () => paginateListGuardrails({ client: bedrock, pageSize: BEDROCK_PAGE_SIZE }, {}),
      (page) => (page.guardrails ?? []).map((g) => ({ ...listed(g.id, g.arn), name: g.name ?? '' })),
    ),
    run.listAndDescribe(
      'agent',
      'bedrock:ListAgents',
      () => paginateListAgents({ client: agents, pageSize: BEDROCK_PAGE_SIZE }, {}),
      (page) => (page.agentSummaries ?? []).map((a) => ({ ...listed(a.agentId), name: a.agentName ?? '' })),
    ),
    run.listAndDescribe(
      'knowledgeBase',
      'bedrock:ListKnowledgeBases',
      () => paginateListKnowledgeBases({ client: agents, pageSize: BEDROCK_PAGE_SIZE }, {}),
      (page) => (page.knowledgeBaseSummaries ?? []).map((k) => ({ ...listed(k.knowledgeBaseId), name: k.name ?? '' })),
    ),
    run.provisionedThroughputs(),
  ]);
}

const BEDROCK_ARN = /^arn:aws[a-z-]*:bedrock:[^:]*:\d{12}:([a-z-]+)\/(.+)$/;

/** A change event's resource: the account (the logging setting) or one Bedrock resource by ARN. */
async function collectOne(run: BedrockRun, arn: string): Promise<void> {
  // The account as a change event names it (any partition): its invocation-logging setting.
  if (new RegExp(`^arn:aws[a-z-]*:iam::${run.context.account}:root$`).test(arn)) return run.logging();
  const parsed = BEDROCK_ARN.exec(arn);
  const kind = (Object.keys(KINDS) as KindName[]).find((name) => KINDS[name].arnType === parsed?.[1]);
  if (!parsed || !kind) {
    run.log.error('bedrock:scope', arn, {
      name: 'UnsupportedResource',
      message: 'not a Bedrock resource ARN this collector describes',
    });
    return;
  }
  await run.describe(kind, { id: arn, name: parsed[2]! }, arn);
}
