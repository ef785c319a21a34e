import type { z } from 'zod';
import {
  domainSchema,
  endpointConfigSchema,
  endpointSchema,
  featureGroupSchema,
  modelPackageArnOf,
  modelPackageSchema,
  modelSchema,
  monitoringJobDefinitionSchema,
  monitoringScheduleSchema,
  notebookInstanceSchema,
  notebookLifecycleConfigSchema,
  processingJobSchema,
  SM_DOMAIN_TYPE,
  SM_ENDPOINT_CONFIG_TYPE,
  SM_ENDPOINT_TYPE,
  SM_FEATURE_GROUP_TYPE,
  SM_MODEL_PACKAGE_TYPE,
  SM_MODEL_TYPE,
  SM_MONITORING_JOB_DEFINITION_TYPE,
  SM_MONITORING_SCHEDULE_TYPE,
  SM_NOTEBOOK_INSTANCE_TYPE,
  SM_NOTEBOOK_LIFECYCLE_CONFIG_TYPE,
  SM_PROCESSING_JOB_TYPE,
  SM_TRAINING_JOB_TYPE,
  type SmEndpoint,
  type SmEndpointAlarm,
  type SmEndpointConfig,
  type SmModel,
  type SmMonitoringSchedule,
  sageMakerSiblingArn,
  trainingJobSchema,
} from '../evidence/resources/sagemaker';
import { parseConfiguration, withConfiguration } from './configuration';
import { globToRegExp } from './glob';
import { accountRootArn, errorFor, fail, failureLine, judgeEach, missing, pass, type Verdict } from './helpers';
import type { Check, CheckContext, Finding, Snapshot, SnapshotResource } from './types';

/**
 * The sm.* checks of the checklist. A resource whose describe failed is kept in the snapshot
 * with its name only, so it is judged ERROR citing the failed call, never skipped.
 */

const RECREATE = 'It is fixed at creation: recreate the resource with the setting and move traffic or work to it.';

type Judge<T> = (configuration: T, resource: SnapshotResource, snapshot: Snapshot, context: CheckContext) => Verdict;

interface ResourceCheck<T> {
  id: string;
  passCondition: string;
  remediation: string;
  type: string;
  schema: z.ZodType<T>;
  /** Plural noun for the "nothing in scope" finding. */
  what: string;
  /** SageMaker list calls whose failure means the resources may exist unseen. */
  listApis: readonly string[];
  /** Narrows the scope; a resource whose configuration cannot be read stays in scope (ERROR). */
  select?: (configuration: T, resource: SnapshotResource, snapshot: Snapshot) => boolean;
  judge: Judge<T>;
}

/** The collector's region-wide listings; a failure of one only blinds the checks of its kind. */
const OTHER_LISTING = /^(sagemaker:List|cloudwatch:DescribeAlarms$|application-autoscaling:Describe)/;

/**
 * judgeEach over the sagemaker snapshots, where "nothing in scope" is ERROR when one of
 * `listApis` failed, but not when another kind's listing did: a failed ListFeatureGroups must
 * not turn "no notebooks" into ERROR. Any other account-level failure (the collector crashed,
 * the member role could not be assumed, the deadline hit) leaves every kind unseen: ERROR.
 * Select and judge still see every error of the snapshot.
 */
function judgeSageMaker(
  id: string,
  context: CheckContext,
  listApis: readonly string[],
  what: string,
  select: (resource: SnapshotResource, snapshot: Snapshot) => boolean,
  judge: (resource: SnapshotResource, snapshot: Snapshot) => Verdict,
): Finding[] {
  return context.snapshots('sagemaker').flatMap((snapshot) => {
    const view = {
      ...snapshot,
      errors: snapshot.errors.filter((e) => e.resource !== undefined || listApis.includes(e.api) || !OTHER_LISTING.test(e.api)),
    };
    return judgeEach(
      id,
      [view],
      (resource) => select(resource, snapshot),
      (resource) => judge(resource, snapshot),
      { resource: (s) => accountRootArn(s.account), what, listApis },
    );
  });
}

function parse<T>(schema: z.ZodType<T>, resource: SnapshotResource): T | undefined {
  const parsed = parseConfiguration(schema, resource);
  return parsed.success ? parsed.data : undefined;
}

function resourceCheck<T>(spec: ResourceCheck<T>): Check {
  return {
    id: spec.id,
    collectors: ['sagemaker'],
    passCondition: spec.passCondition,
    remediation: spec.remediation,
    run: (context) =>
      judgeSageMaker(
        spec.id,
        context,
        spec.listApis,
        spec.what,
        (resource, snapshot) => {
          if (resource.type !== spec.type) return false;
          const configuration = parse(spec.schema, resource);
          return configuration === undefined || !spec.select || spec.select(configuration, resource, snapshot);
        },
        (resource, snapshot) => {
          if (parse(spec.schema, resource) === undefined && errorFor(snapshot, resource.arn))
            return missing(snapshot, resource.arn, `${resource.type} configuration`);
          return withConfiguration(spec.schema, (configuration: T, r, s) => spec.judge(configuration, r, s, context))(
            resource,
            snapshot,
          );
        },
      ),
  };
}

/** PASS when a setting holds a value, FAIL naming the field when it is unset. */
function isSet(field: string, value: string | null | undefined): Verdict {
  return value ? pass(`${field} is ${value}`) : fail(`${field} is not set`);
}

function expectValue(field: string, value: string | boolean | null | undefined, wanted: string | boolean): Verdict {
  return value === wanted
    ? pass(`${field} is ${String(value)}`)
    : fail(`${field} is ${value === null || value === undefined ? 'not set' : String(value)}, not ${String(wanted)}`);
}

/** ERROR citing a region-wide call (DescribeAlarms, ListMonitoringSchedules...) that failed. */
function missingVia(snapshot: Snapshot, resource: string, what: string, apis: readonly string[]): Verdict {
  const error = errorFor(snapshot, resource) ?? snapshot.errors.find((e) => apis.includes(e.api));
  return error
    ? { status: 'ERROR', detail: `${what} could not be collected: ${failureLine(error)}` }
    : missing(snapshot, resource, what);
}

function ofType(snapshot: Snapshot, type: string): SnapshotResource[] {
  return snapshot.resources.filter((r) => r.type === type);
}

/**
 * Lookups between the resources of one snapshot (endpoint -> config -> model -> package, jobs
 * by output path, schedules by endpoint), built once per snapshot: searching the snapshot per
 * resource made evaluation quadratic in the estate. Each map keeps the first match in snapshot
 * order, as a linear search would.
 */
interface SageMakerIndex {
  /** Endpoint configs by lowercased name. */
  endpointConfigs: Map<string, { resource: SnapshotResource; config: SmEndpointConfig }>;
  /** Lowercased endpoint config names that some endpoint uses. */
  endpointConfigsInUse: Set<string>;
  /** Models by lowercased name. */
  models: Map<string, SnapshotResource>;
  /** Model packages by lowercased ARN. */
  modelPackages: Map<string, SnapshotResource>;
  /** Monitoring schedules by lowercased endpoint name, in snapshot order. */
  schedulesByEndpoint: Map<string, SmMonitoringSchedule[]>;
  /** Training jobs by the artifact URIs and output prefixes (ending in /) that trace to them, with their position. */
  jobsByArtifact: Map<string, { arn: string; position: number }>;
  deployedModelNames: Set<string>;
}

const indexes = new WeakMap<Snapshot, SageMakerIndex>();

const firstBy = <K, V>(map: Map<K, V>, key: K, value: V) => {
  if (!map.has(key)) map.set(key, value);
};

function sageMakerIndex(snapshot: Snapshot): SageMakerIndex {
  const cached = indexes.get(snapshot);
  if (cached) return cached;
  const index: SageMakerIndex = {
    endpointConfigs: new Map(),
    endpointConfigsInUse: new Set(),
    models: new Map(),
    modelPackages: new Map(),
    schedulesByEndpoint: new Map(),
    jobsByArtifact: new Map(),
    deployedModelNames: new Set(),
  };
  let position = 0;
  for (const resource of snapshot.resources) {
    position += 1;
    if (resource.type === SM_ENDPOINT_CONFIG_TYPE) {
      const config = parse(endpointConfigSchema, resource);
      if (config?.name) firstBy(index.endpointConfigs, config.name.toLowerCase(), { resource, config });
    } else if (resource.type === SM_ENDPOINT_TYPE) {
      const name = parse(endpointSchema, resource)?.endpointConfigName;
      if (name) index.endpointConfigsInUse.add(name.toLowerCase());
    } else if (resource.type === SM_MODEL_TYPE) {
      firstBy(index.models, modelName(resource), resource);
    } else if (resource.type === SM_MODEL_PACKAGE_TYPE) {
      firstBy(index.modelPackages, resource.arn.toLowerCase(), resource);
    } else if (resource.type === SM_MONITORING_SCHEDULE_TYPE) {
      const schedule = parse(monitoringScheduleSchema, resource);
      if (schedule?.endpointName) {
        const key = schedule.endpointName.toLowerCase();
        index.schedulesByEndpoint.set(key, [...(index.schedulesByEndpoint.get(key) ?? []), schedule]);
      }
    } else if (resource.type === SM_TRAINING_JOB_TYPE) {
      const job = parse(trainingJobSchema, resource);
      for (const prefix of [job?.modelArtifactS3Uri, job?.outputS3Path]) {
        if (!prefix) continue;
        firstBy(index.jobsByArtifact, prefix, { arn: resource.arn, position });
        firstBy(index.jobsByArtifact, prefix.endsWith('/') ? prefix : `${prefix}/`, { arn: resource.arn, position });
      }
    }
  }
  for (const { endpoint } of inServiceEndpoints(snapshot)) {
    const name = endpoint.endpointConfigName?.toLowerCase();
    for (const variant of (name && index.endpointConfigs.get(name)?.config.variants) || []) {
      if (variant.modelName) index.deployedModelNames.add(variant.modelName.toLowerCase());
    }
  }
  indexes.set(snapshot, index);
  return index;
}

// ---------------------------------------------------------------- notebooks and domains

const NOTEBOOK_LIST = ['sagemaker:ListNotebookInstances'];
const notebookCheck = (
  id: string,
  passCondition: string,
  remediation: string,
  judge: Judge<z.infer<typeof notebookInstanceSchema>>,
) =>
  resourceCheck({
    id,
    passCondition,
    remediation,
    type: SM_NOTEBOOK_INSTANCE_TYPE,
    schema: notebookInstanceSchema,
    what: 'notebook instances',
    listApis: NOTEBOOK_LIST,
    judge,
  });

function platformSupported(platform: string | null, supported: readonly string[]): Verdict {
  if (!platform) return fail('PlatformIdentifier is not set');
  return supported.some((glob) => globToRegExp(glob).test(platform))
    ? pass(`PlatformIdentifier is ${platform}`)
    : fail(`PlatformIdentifier is ${platform}, not one of the supported platforms ${supported.join(', ')}`);
}

const NOTEBOOK_CHECKS: Check[] = [
  notebookCheck(
    'sm.notebook.kms',
    'notebook instance KmsKeyId set',
    `Encrypt the notebook's storage volume with a customer managed KMS key (KmsKeyId). ${RECREATE}`,
    (nb) => isSet('KmsKeyId', nb.kmsKeyId),
  ),
  notebookCheck(
    'sm.notebook.no_direct_internet',
    'notebook instance DirectInternetAccess Disabled',
    `Set DirectInternetAccess to Disabled and reach the internet through the VPC. ${RECREATE}`,
    (nb) => expectValue('DirectInternetAccess', nb.directInternetAccess, 'Disabled'),
  ),
  notebookCheck(
    'sm.notebook.in_vpc',
    'notebook instance SubnetId set',
    `Launch the notebook instance in a VPC subnet (SubnetId). ${RECREATE}`,
    (nb) => isSet('SubnetId', nb.subnetId),
  ),
  notebookCheck(
    'sm.notebook.root_disabled',
    'notebook instance RootAccess Disabled',
    'Stop the notebook instance, update it with RootAccess Disabled, and start it again.',
    (nb) => expectValue('RootAccess', nb.rootAccess, 'Disabled'),
  ),
  notebookCheck(
    'sm.notebook.platform_current',
    'notebook instance PlatformIdentifier is a supported platform (configurable, default notebook-al2023-*)',
    'Move the notebook to a supported platform: stop it and update PlatformIdentifier, or recreate it on a current platform.',
    (nb, _r, _s, context) => platformSupported(nb.platformIdentifier, context.config.notebookPlatforms),
  ),
  resourceCheck({
    id: 'sm.notebook.lifecycle_no_secrets',
    passCondition: 'notebook lifecycle configuration OnCreate/OnStart scripts contain nothing that looks like a credential',
    remediation:
      'Remove the credential from the lifecycle script, rotate it, and read secrets at run time from Secrets Manager or the instance role.',
    type: SM_NOTEBOOK_LIFECYCLE_CONFIG_TYPE,
    schema: notebookLifecycleConfigSchema,
    what: 'notebook lifecycle configurations',
    listApis: ['sagemaker:ListNotebookInstanceLifecycleConfigs'],
    judge: (config) => {
      const flagged = config.scripts.filter((script) => script.credentialPatterns.length > 0);
      if (flagged.length === 0) return pass(`${config.scripts.length} OnCreate/OnStart script(s), no credential pattern found`);
      return fail(
        flagged
          .map((script) => `${script.hook} script matches credential pattern(s) ${script.credentialPatterns.join(', ')}`)
          .join('; '),
      );
    },
  }),
];

const DOMAIN_LIST = ['sagemaker:ListDomains'];
const DOMAIN_CHECKS: Check[] = [
  resourceCheck({
    id: 'sm.domain.kms',
    passCondition: 'Studio domain KmsKeyId set',
    remediation: `Encrypt the domain's EFS volume with a customer managed KMS key (KmsKeyId). ${RECREATE}`,
    type: SM_DOMAIN_TYPE,
    schema: domainSchema,
    what: 'Studio domains',
    listApis: DOMAIN_LIST,
    judge: (domain) => isSet('KmsKeyId', domain.kmsKeyId),
  }),
  resourceCheck({
    id: 'sm.domain.vpc_only',
    passCondition: 'Studio domain AppNetworkAccessType VpcOnly',
    remediation:
      'Update the domain to AppNetworkAccessType VpcOnly (all apps must be deleted first) with VPC endpoints for SageMaker.',
    type: SM_DOMAIN_TYPE,
    schema: domainSchema,
    what: 'Studio domains',
    listApis: DOMAIN_LIST,
    judge: (domain) => expectValue('AppNetworkAccessType', domain.appNetworkAccessType, 'VpcOnly'),
  }),
];

// ---------------------------------------------------------------- secrets in maps

type FlaggedEntries = z.infer<typeof trainingJobSchema>['flaggedEntries'];

/** The finding for sm.*.no_secrets: key and rule of each flagged entry, never its value. */
function noSecretsVerdict(flagged: FlaggedEntries, what: string): Verdict {
  if (flagged === undefined)
    return {
      status: 'ERROR',
      detail: `${what} were not scanned for credentials (evidence recorded before the scan): collect again`,
    };
  if (flagged.length === 0) return pass(`no ${what} value looks like a credential`);
  return fail(
    `credential in ${flagged.map((entry) => `${entry.source} key ${entry.key} (rule ${entry.rule})`).join('; ')}: the value was not recorded`,
  );
}

const SECRETS_REMEDIATION =
  'Remove the credential from the definition, rotate it, and pass a Secrets Manager reference the workload reads at run time (or use the execution role).';

// ---------------------------------------------------------------- training and processing jobs

const TRAINING_LIST = ['sagemaker:ListTrainingJobs'];
const trainingCheck = (
  id: string,
  passCondition: string,
  remediation: string,
  judge: Judge<z.infer<typeof trainingJobSchema>>,
  select?: { what: string; test: (job: z.infer<typeof trainingJobSchema>) => boolean },
) =>
  resourceCheck({
    id,
    passCondition,
    remediation,
    type: SM_TRAINING_JOB_TYPE,
    schema: trainingJobSchema,
    what: select?.what ?? 'training jobs in the look-back window',
    listApis: TRAINING_LIST,
    judge,
    ...(select ? { select: select.test } : {}),
  });

const multiInstance = (job: { instanceCount: number }) => job.instanceCount > 1;

const JOB_CHECKS: Check[] = [
  trainingCheck(
    'sm.training.no_secrets',
    'no training job hyper-parameter or environment entry holds a credential (a credential pattern, or a non-empty literal under a key naming a secret)',
    SECRETS_REMEDIATION,
    (job) => noSecretsVerdict(job.flaggedEntries, 'hyper-parameter or environment'),
  ),
  trainingCheck(
    'sm.training.volume_kms',
    'training job ResourceConfig.VolumeKmsKeyId set',
    `Set ResourceConfig.VolumeKmsKeyId in the training job definition (pipeline or SDK estimator). ${RECREATE}`,
    (job) => isSet('ResourceConfig.VolumeKmsKeyId', job.volumeKmsKeyId),
  ),
  trainingCheck(
    'sm.training.output_kms',
    'training job OutputDataConfig.KmsKeyId set',
    `Set OutputDataConfig.KmsKeyId in the training job definition. ${RECREATE}`,
    (job) => isSet('OutputDataConfig.KmsKeyId', job.outputKmsKeyId),
  ),
  trainingCheck(
    'sm.training.inter_container_encryption',
    'training job with more than one instance: EnableInterContainerTrafficEncryption true',
    `Set EnableInterContainerTrafficEncryption on distributed training jobs. ${RECREATE}`,
    (job) =>
      job.enableInterContainerTrafficEncryption
        ? pass(`EnableInterContainerTrafficEncryption is true (${job.instanceCount} instances)`)
        : fail(`EnableInterContainerTrafficEncryption is false with ${job.instanceCount} instances`),
    { what: 'multi-instance training jobs in the look-back window', test: multiInstance },
  ),
  trainingCheck(
    'sm.training.network_isolation',
    'training job EnableNetworkIsolation true',
    `Set EnableNetworkIsolation on training jobs. ${RECREATE}`,
    (job) => expectValue('EnableNetworkIsolation', job.enableNetworkIsolation, true),
  ),
  trainingCheck(
    'sm.training.vpc',
    'training job VpcConfig set',
    `Run training jobs in a VPC (VpcConfig with subnets and security groups). ${RECREATE}`,
    (job) =>
      job.vpcConfig ? pass(`VpcConfig is set (subnets ${job.vpcConfig.subnets.join(', ')})`) : fail('VpcConfig is not set'),
  ),
  resourceCheck({
    id: 'sm.processing.kms',
    passCondition: 'processing job volume and output KMS keys set',
    remediation: `Set ClusterConfig.VolumeKmsKeyId and ProcessingOutputConfig.KmsKeyId on processing jobs. ${RECREATE}`,
    type: SM_PROCESSING_JOB_TYPE,
    schema: processingJobSchema,
    what: 'processing jobs in the look-back window',
    listApis: ['sagemaker:ListProcessingJobs'],
    judge: (job) => {
      const unset = [
        ...(job.volumeKmsKeyId ? [] : ['ClusterConfig.VolumeKmsKeyId']),
        ...(job.outputKmsKeyId ? [] : ['ProcessingOutputConfig.KmsKeyId']),
      ];
      return unset.length === 0
        ? pass(`ClusterConfig.VolumeKmsKeyId is ${job.volumeKmsKeyId}, ProcessingOutputConfig.KmsKeyId is ${job.outputKmsKeyId}`)
        : fail(`${unset.join(' and ')} not set`);
    },
  }),
  resourceCheck({
    id: 'sm.processing.inter_container_encryption',
    passCondition: 'processing job with more than one instance: inter-container encryption on',
    remediation: `Set NetworkConfig.EnableInterContainerTrafficEncryption on distributed processing jobs. ${RECREATE}`,
    type: SM_PROCESSING_JOB_TYPE,
    schema: processingJobSchema,
    what: 'multi-instance processing jobs in the look-back window',
    listApis: ['sagemaker:ListProcessingJobs'],
    select: multiInstance,
    judge: (job) =>
      job.enableInterContainerTrafficEncryption
        ? pass(`NetworkConfig.EnableInterContainerTrafficEncryption is true (${job.instanceCount} instances)`)
        : fail(`NetworkConfig.EnableInterContainerTrafficEncryption is false with ${job.instanceCount} instances`),
  }),
];

// ---------------------------------------------------------------- models and lineage

const MODEL_LIST = ['sagemaker:ListModels'];
const ENDPOINT_LIST = ['sagemaker:ListEndpoints'];

function inServiceEndpoints(snapshot: Snapshot): { resource: SnapshotResource; endpoint: SmEndpoint }[] {
  return ofType(snapshot, SM_ENDPOINT_TYPE)
    .map((resource) => ({ resource, endpoint: parse(endpointSchema, resource) }))
    .filter((e): e is { resource: SnapshotResource; endpoint: SmEndpoint } => e.endpoint?.status === 'InService');
}

function endpointConfigNamed(snapshot: Snapshot, name: string | null) {
  return name ? sageMakerIndex(snapshot).endpointConfigs.get(name.toLowerCase()) : undefined;
}

const modelName = (resource: SnapshotResource): string =>
  String((resource.configuration as { name?: unknown }).name ?? '').toLowerCase();

const modelCheck = (id: string, passCondition: string, remediation: string, judge: Judge<SmModel>) =>
  resourceCheck({
    id,
    passCondition,
    remediation,
    type: SM_MODEL_TYPE,
    schema: modelSchema,
    what: 'models',
    listApis: MODEL_LIST,
    judge,
  });

/**
 * An artifact traces to a training job when it lies under the job's artifact or output path:
 * the artifact itself and each of its "/"-ended prefixes are looked up, and the job first in
 * the snapshot wins.
 */
function producingJob(snapshot: Snapshot, artifact: string): string | undefined {
  const { jobsByArtifact } = sageMakerIndex(snapshot);
  let best = jobsByArtifact.get(artifact);
  for (let slash = artifact.indexOf('/'); slash >= 0; slash = artifact.indexOf('/', slash + 1)) {
    const job = jobsByArtifact.get(artifact.slice(0, slash + 1));
    if (job && (!best || job.position < best.position)) best = job;
  }
  return best?.arn;
}

const judgeLineage: Judge<SmModel> = (model, resource, snapshot) => {
  const fromPackage = model.containers.find((c) => c.modelPackageName);
  if (fromPackage) return pass(`container ModelPackageName is ${fromPackage.modelPackageName}`);
  const artifacts = model.containers.map((c) => c.modelDataUrl).filter((u): u is string => !!u);
  for (const artifact of artifacts) {
    const job = producingJob(snapshot, artifact);
    if (job) return pass(`ModelDataUrl ${artifact} is output of training job ${job}`);
  }
  const trainingFailed = snapshot.errors.find(
    (e) => e.api === 'sagemaker:ListTrainingJobs' || e.api === 'sagemaker:DescribeTrainingJob',
  );
  if (trainingFailed) return missingVia(snapshot, resource.arn, 'training jobs for lineage', [trainingFailed.api]);
  return fail(
    artifacts.length === 0
      ? 'no ModelDataUrl and no ModelPackageName: the artifact cannot be traced'
      : `ModelDataUrl ${artifacts.join(', ')} is not the output of any training job in the look-back window, and no ModelPackageName is set`,
  );
};

const MODEL_CHECKS: Check[] = [
  modelCheck(
    'sm.model.network_isolation',
    'model EnableNetworkIsolation true',
    `Create the model with EnableNetworkIsolation true. ${RECREATE}`,
    (model) => expectValue('EnableNetworkIsolation', model.enableNetworkIsolation, true),
  ),
  modelCheck(
    'sm.model.in_vpc',
    'model VpcConfig with subnets set',
    `Create the model with a VpcConfig naming subnets and security groups. ${RECREATE}`,
    (model) =>
      model.vpcConfig && model.vpcConfig.subnets.length > 0
        ? pass(`VpcConfig.Subnets is ${model.vpcConfig.subnets.join(', ')}`)
        : fail(model.vpcConfig ? 'VpcConfig.Subnets is empty' : 'VpcConfig is not set'),
  ),
  modelCheck(
    'sm.model.private_registry',
    'every model container image comes from a private registry (RepositoryAccessMode not Platform)',
    `Serve container images from a private registry in the VPC (ImageConfig.RepositoryAccessMode Vpc). ${RECREATE}`,
    (model) => {
      if (model.containers.length === 0) return fail('the model has no containers to judge');
      // An unset ImageConfig means Platform, the API default.
      const platform = model.containers.filter((c) => (c.repositoryAccessMode ?? 'Platform') === 'Platform');
      return platform.length === 0
        ? pass(`ImageConfig.RepositoryAccessMode is ${model.containers.map((c) => c.repositoryAccessMode).join(', ')}`)
        : fail(
            `ImageConfig.RepositoryAccessMode is Platform${platform.some((c) => !c.repositoryAccessMode) ? ' (default)' : ''} for ${platform.map((c) => c.image ?? 'a container without its own image').join(', ')}`,
          );
    },
  ),
  modelCheck(
    'sm.model.no_secrets',
    'no model container environment entry holds a credential (a credential pattern, or a non-empty literal under a key naming a secret)',
    SECRETS_REMEDIATION,
    (model) => noSecretsVerdict(model.flaggedEntries, 'container environment'),
  ),
  resourceCheck({
    id: 'sm.model.lineage',
    passCondition: 'model behind an InService endpoint: its artifact traces to a training job or a model package',
    remediation:
      'Deploy models registered in the Model Registry, or produced by a SageMaker training job whose output path holds the artifact.',
    type: SM_MODEL_TYPE,
    schema: modelSchema,
    what: 'models behind InService endpoints',
    listApis: [...MODEL_LIST, ...ENDPOINT_LIST],
    select: (_model, resource, snapshot) => sageMakerIndex(snapshot).deployedModelNames.has(modelName(resource)),
    judge: judgeLineage,
  }),
];

// ---------------------------------------------------------------- monitoring

const MONITORING_LIST = [
  'sagemaker:ListMonitoringSchedules',
  'sagemaker:ListDataQualityJobDefinitions',
  'sagemaker:ListModelQualityJobDefinitions',
  'sagemaker:ListModelBiasJobDefinitions',
  'sagemaker:ListModelExplainabilityJobDefinitions',
];

type NetworkSetting = 'enableNetworkIsolation' | 'enableInterContainerTrafficEncryption';

/** Monitoring job definitions, and schedules that carry theirs inline (named ones are judged as definitions). */
function monitoringCheck(id: string, passCondition: string, remediation: string, setting: NetworkSetting, field: string): Check {
  // A schedule that could not be described may carry its definition inline: it stays in scope.
  const isJudged = (resource: SnapshotResource) =>
    resource.type === SM_MONITORING_JOB_DEFINITION_TYPE ||
    (resource.type === SM_MONITORING_SCHEDULE_TYPE && !parse(monitoringScheduleSchema, resource)?.jobDefinitionName);
  const settingOf = (resource: SnapshotResource): boolean | undefined =>
    resource.type === SM_MONITORING_JOB_DEFINITION_TYPE
      ? parse(monitoringJobDefinitionSchema, resource)?.[setting]
      : parse(monitoringScheduleSchema, resource)?.inlineJobDefinition?.[setting];
  return {
    id,
    collectors: ['sagemaker'],
    passCondition,
    remediation,
    run: (context) =>
      judgeSageMaker(
        id,
        context,
        MONITORING_LIST,
        'monitoring job definitions or schedules with an inline definition',
        isJudged,
        (resource, snapshot) => {
          const value = settingOf(resource);
          if (value === undefined) return missing(snapshot, resource.arn, field);
          return value ? pass(`${field} is true`) : fail(`${field} is false`);
        },
      ),
  };
}

const MONITORING_CHECKS: Check[] = [
  monitoringCheck(
    'sm.monitoring.network_isolation',
    'monitoring job definition / schedule network isolation on',
    `Set NetworkConfig.EnableNetworkIsolation on the monitoring job definition. ${RECREATE}`,
    'enableNetworkIsolation',
    'NetworkConfig.EnableNetworkIsolation',
  ),
  monitoringCheck(
    'sm.monitoring.inter_container_encryption',
    'monitoring job definition / schedule inter-container encryption on',
    `Set NetworkConfig.EnableInterContainerTrafficEncryption on the monitoring job definition. ${RECREATE}`,
    'enableInterContainerTrafficEncryption',
    'NetworkConfig.EnableInterContainerTrafficEncryption',
  ),
];

// ---------------------------------------------------------------- endpoints

const endpointCheck = (id: string, passCondition: string, remediation: string, judge: Judge<SmEndpoint>) =>
  resourceCheck({
    id,
    passCondition,
    remediation,
    type: SM_ENDPOINT_TYPE,
    schema: endpointSchema,
    what: 'InService endpoints',
    listApis: ENDPOINT_LIST,
    select: (endpoint) => endpoint.status === 'InService',
    judge,
  });

const ALARM_APIS = ['cloudwatch:DescribeAlarms'];
const SCALING_APIS = ['application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingPolicies'];
const LATENCY_METRICS = ['ModelLatency', 'OverheadLatency'];
const UTILIZATION_METRICS = ['CPUUtilization', 'GPUUtilization', 'GPUMemoryUtilization', 'MemoryUtilization', 'DiskUtilization'];

/** PASS naming the first alarm that `matches`, FAIL naming what was looked for. */
function alarmJudge(what: string, matches: (alarm: SmEndpointAlarm) => boolean): Judge<SmEndpoint> {
  return (endpoint, resource, snapshot) => {
    if (endpoint.alarms === undefined) return missingVia(snapshot, resource.arn, 'CloudWatch alarms', ALARM_APIS);
    const alarm = endpoint.alarms.find(matches);
    return alarm
      ? pass(`alarm ${alarm.name} watches ${alarm.metricNames.join(', ')}`)
      : fail(`no ${what} among ${endpoint.alarms.length} alarm(s) on EndpointName ${endpoint.name}`);
  };
}

const judgeMultiInstance: Judge<SmEndpoint> = (endpoint, resource, snapshot) => {
  const config = endpointConfigNamed(snapshot, endpoint.endpointConfigName)?.config;
  const counts = endpoint.variants
    .filter((variant) => !variant.serverless)
    .map((variant) => ({
      name: variant.name,
      count:
        variant.currentInstanceCount ??
        variant.desiredInstanceCount ??
        config?.variants.find((v) => v.name === variant.name)?.initialInstanceCount ??
        null,
    }));
  const unknown = counts.filter((v) => v.count === null);
  if (unknown.length > 0)
    return missing(snapshot, resource.arn, `instance count of variant ${unknown.map((v) => v.name).join(', ')}`);
  const single = counts.filter((v) => (v.count ?? 0) < 2);
  if (single.length > 0) return fail(single.map((v) => `variant ${v.name} CurrentInstanceCount is ${v.count}`).join('; '));
  return pass(
    counts.length === 0
      ? 'every production variant is serverless'
      : counts.map((v) => `variant ${v.name} CurrentInstanceCount is ${v.count}`).join('; '),
  );
};

const judgeAutoscaling: Judge<SmEndpoint> = (endpoint, resource, snapshot) => {
  if (endpoint.variants.some((v) => v.autoScaling === undefined))
    return missingVia(snapshot, resource.arn, 'Application Auto Scaling targets', SCALING_APIS);
  if (endpoint.variants.length === 0) return fail('the endpoint reports no production variants');
  const problems = endpoint.variants.flatMap((v) => {
    if (!v.autoScaling) return [`variant ${v.name} is not a scalable target`];
    if (v.autoScaling.policies.length === 0) return [`variant ${v.name} is a scalable target with no scaling policy`];
    return [];
  });
  return problems.length > 0
    ? fail(problems.join('; '))
    : pass(endpoint.variants.map((v) => `variant ${v.name} scales with ${v.autoScaling?.policies.join(', ')}`).join('; '));
};

/** The schedule that satisfies `wanted`, ERROR when schedules could not all be read, FAIL otherwise. */
function monitorJudge(what: string, wanted: (schedule: SmMonitoringSchedule) => boolean): Judge<SmEndpoint> {
  return (endpoint, resource, snapshot) => {
    const schedules = (endpoint.name && sageMakerIndex(snapshot).schedulesByEndpoint.get(endpoint.name.toLowerCase())) || [];
    const found = schedules.find((s) => s.status === 'Scheduled' && wanted(s));
    if (found) return pass(`monitoring schedule ${found.name} (${found.monitoringType ?? 'DataQuality'}) is Scheduled`);
    const apis = ['sagemaker:ListMonitoringSchedules', 'sagemaker:DescribeMonitoringSchedule'];
    if (snapshot.errors.some((e) => apis.includes(e.api)))
      return missingVia(snapshot, resource.arn, 'monitoring schedules', apis);
    return fail(
      schedules.length === 0
        ? `no ${what} names EndpointName ${endpoint.name}`
        : `no Scheduled ${what}: ${schedules.map((s) => `${s.name} is ${s.status ?? 'unknown'}`).join(', ')}`,
    );
  };
}

interface DeployedModels {
  models: { resource: SnapshotResource; model: SmModel }[];
  /** Set when the chain endpoint -> config -> models could not be followed. */
  problem?: Verdict;
}

/** The models behind an endpoint, through its endpoint config. */
function modelsBehind(endpoint: SmEndpoint, endpointArn: string, snapshot: Snapshot): DeployedModels {
  const config = endpointConfigNamed(snapshot, endpoint.endpointConfigName);
  if (!config) {
    const configArn = sageMakerSiblingArn(endpointArn, 'endpoint-config', endpoint.endpointConfigName ?? '');
    return { models: [], problem: missing(snapshot, configArn, `endpoint config ${endpoint.endpointConfigName}`) };
  }
  const models: DeployedModels['models'] = [];
  for (const variant of config.config.variants) {
    const resource =
      variant.modelName === null ? undefined : sageMakerIndex(snapshot).models.get(variant.modelName.toLowerCase());
    const model = resource ? parse(modelSchema, resource) : undefined;
    if (!resource || !model) {
      const modelArn = resource?.arn ?? sageMakerSiblingArn(endpointArn, 'model', variant.modelName ?? '');
      return { models, problem: missing(snapshot, modelArn, `model ${variant.modelName} of variant ${variant.name}`) };
    }
    models.push({ resource, model });
  }
  return { models };
}

const packageArnsOf = (model: SmModel, modelArn: string) =>
  model.containers.flatMap((c) => (c.modelPackageName ? [modelPackageArnOf(modelArn, c.modelPackageName)] : []));

const judgeModelRegistered: Judge<SmEndpoint> = (endpoint, resource, snapshot) => {
  const { models, problem } = modelsBehind(endpoint, resource.arn, snapshot);
  if (problem) return problem;
  const unregistered = models.filter(({ model, resource: r }) => packageArnsOf(model, r.arn).length === 0);
  if (unregistered.length > 0)
    return fail(`model ${unregistered.map((m) => m.model.name).join(', ')} has no container ModelPackageName`);
  return pass(
    models.map(({ model, resource: r }) => `model ${model.name} from ${packageArnsOf(model, r.arn).join(', ')}`).join('; '),
  );
};

const judgeModelApproved: Judge<SmEndpoint> = (endpoint, resource, snapshot) => {
  const { models, problem } = modelsBehind(endpoint, resource.arn, snapshot);
  if (problem) return problem;
  const details: string[] = [];
  const failures: string[] = [];
  for (const { model, resource: modelResource } of models) {
    const packages = packageArnsOf(model, modelResource.arn);
    if (packages.length === 0) failures.push(`model ${model.name} comes from no model package`);
    for (const arn of packages) {
      const packageResource = sageMakerIndex(snapshot).modelPackages.get(arn.toLowerCase());
      const modelPackage = packageResource ? parse(modelPackageSchema, packageResource) : undefined;
      if (!modelPackage) return missing(snapshot, arn, `model package ${arn}`);
      const line = `model package ${arn} ModelApprovalStatus is ${modelPackage.approvalStatus ?? 'not set'}`;
      (modelPackage.approvalStatus === 'Approved' ? details : failures).push(line);
    }
  }
  return failures.length > 0 ? fail(failures.join('; ')) : pass(details.join('; '));
};

const ENDPOINT_CHECKS: Check[] = [
  resourceCheck({
    id: 'sm.endpoint_config.kms',
    passCondition: 'endpoint config in use: KmsKeyId set (instance-based variants)',
    remediation: `Create a new endpoint config with KmsKeyId and update the endpoint to it. ${RECREATE}`,
    type: SM_ENDPOINT_CONFIG_TYPE,
    schema: endpointConfigSchema,
    what: 'endpoint configs in use with instance-based variants',
    listApis: ENDPOINT_LIST,
    select: (config, _resource, snapshot) =>
      config.variants.some((v) => !v.serverless) &&
      !!config.name &&
      sageMakerIndex(snapshot).endpointConfigsInUse.has(config.name.toLowerCase()),
    judge: (config) => isSet('KmsKeyId', config.kmsKeyId),
  }),
  endpointCheck(
    'sm.endpoint.multi_instance',
    'InService endpoint: every instance-based production variant has at least 2 instances',
    'Raise the instance count of every instance-based variant to at least 2 (update the endpoint or its scaling minimum).',
    judgeMultiInstance,
  ),
  endpointCheck(
    'sm.endpoint.alarms',
    'InService endpoint: at least one CloudWatch alarm with an action watches its metrics',
    'Create CloudWatch alarms on the endpoint metrics (EndpointName dimension) with an alarm action such as an SNS topic.',
    alarmJudge('alarm with an enabled action', (alarm) => alarm.actionsEnabled && alarm.alarmActions.length > 0),
  ),
  endpointCheck(
    'sm.endpoint.latency_alarm',
    'InService endpoint: an alarm on ModelLatency or OverheadLatency',
    'Create a CloudWatch alarm on ModelLatency or OverheadLatency for the endpoint.',
    alarmJudge('alarm on ModelLatency or OverheadLatency', (alarm) => alarm.metricNames.some((m) => LATENCY_METRICS.includes(m))),
  ),
  endpointCheck(
    'sm.endpoint.utilization_alarm',
    'InService endpoint: an alarm on CPU, GPU, memory or disk utilisation',
    'Create a CloudWatch alarm on CPUUtilization, GPUUtilization, MemoryUtilization or DiskUtilization (/aws/sagemaker/Endpoints).',
    alarmJudge('alarm on CPU, GPU, memory or disk utilisation', (alarm) =>
      alarm.metricNames.some((m) => UTILIZATION_METRICS.includes(m)),
    ),
  ),
  endpointCheck(
    'sm.endpoint.autoscaling',
    'InService endpoint: every variant registered as an Application Auto Scaling target with a policy',
    'Register every variant (endpoint/<name>/variant/<variant>) as a scalable target and attach a scaling policy.',
    judgeAutoscaling,
  ),
  endpointCheck(
    'sm.endpoint.data_capture',
    'InService endpoint: data capture enabled',
    'Create an endpoint config with DataCaptureConfig.EnableCapture true and update the endpoint to it.',
    (endpoint) => expectValue('DataCaptureConfig.EnableCapture', endpoint.dataCaptureEnabled, true),
  ),
  endpointCheck(
    'sm.endpoint.data_quality_monitor',
    'InService endpoint: a scheduled, not stopped, data-quality monitoring schedule',
    'Create a DataQuality monitoring schedule for the endpoint (Model Monitor) and keep it Scheduled.',
    monitorJudge('DataQuality monitoring schedule', (s) => (s.monitoringType ?? 'DataQuality') === 'DataQuality'),
  ),
  endpointCheck(
    'sm.endpoint.drift_monitor',
    'InService endpoint: a scheduled, not stopped, monitoring schedule of any type',
    'Create a Model Monitor schedule (data quality, model quality, bias or explainability) for the endpoint and keep it Scheduled.',
    monitorJudge('monitoring schedule', () => true),
  ),
  endpointCheck(
    'sm.endpoint.auto_rollback',
    'InService endpoint: its deployment config has auto-rollback with alarms',
    'Update the endpoint with a DeploymentConfig whose AutoRollbackConfiguration names CloudWatch alarms.',
    (endpoint) => {
      if (endpoint.autoRollbackAlarms === null) return fail('LastDeploymentConfig.AutoRollbackConfiguration is not set');
      return endpoint.autoRollbackAlarms.length > 0
        ? pass(`AutoRollbackConfiguration.Alarms is ${endpoint.autoRollbackAlarms.join(', ')}`)
        : fail('AutoRollbackConfiguration.Alarms is empty');
    },
  ),
  endpointCheck(
    'sm.endpoint.model_registered',
    'InService endpoint: its model comes from a model package version',
    'Register the model in the SageMaker Model Registry and deploy it from the model package version (ModelPackageName).',
    judgeModelRegistered,
  ),
  endpointCheck(
    'sm.endpoint.model_approved',
    'InService endpoint: that model package is Approved',
    'Deploy only model package versions whose ModelApprovalStatus is Approved, through the approval workflow.',
    judgeModelApproved,
  ),
];

// ---------------------------------------------------------------- model packages and feature groups

const FEATURE_GROUP_LIST = ['sagemaker:ListFeatureGroups'];

const REGISTRY_CHECKS: Check[] = [
  resourceCheck({
    id: 'sm.model_package.metrics',
    passCondition: 'Approved model package: model metrics attached',
    remediation:
      'Attach ModelMetrics (model quality, data quality, bias or explainability reports) when registering the version.',
    type: SM_MODEL_PACKAGE_TYPE,
    schema: modelPackageSchema,
    what: 'Approved model packages',
    listApis: ['sagemaker:ListModelPackageGroups'],
    select: (modelPackage) => modelPackage.approvalStatus === 'Approved',
    judge: (modelPackage) =>
      modelPackage.metrics.length > 0
        ? pass(`ModelMetrics has ${modelPackage.metrics.join(', ')}`)
        : fail('ModelMetrics is not set on the Approved model package'),
  }),
  resourceCheck({
    id: 'sm.feature_group.offline_kms',
    passCondition: 'feature group with an offline store: offline store KMS key set',
    remediation: `Set OfflineStoreConfig.S3StorageConfig.KmsKeyId. ${RECREATE}`,
    type: SM_FEATURE_GROUP_TYPE,
    schema: featureGroupSchema,
    what: 'feature groups with an offline store',
    listApis: FEATURE_GROUP_LIST,
    select: (group) => group.offlineStore !== null,
    judge: (group) => isSet('OfflineStoreConfig.S3StorageConfig.KmsKeyId', group.offlineStore?.kmsKeyId),
  }),
  resourceCheck({
    id: 'sm.feature_group.online_kms',
    passCondition: 'feature group with an online store: online store KMS key set',
    remediation: `Set OnlineStoreConfig.SecurityConfig.KmsKeyId. ${RECREATE}`,
    type: SM_FEATURE_GROUP_TYPE,
    schema: featureGroupSchema,
    what: 'feature groups with an online store',
    listApis: FEATURE_GROUP_LIST,
    select: (group) => group.onlineStore?.enabled === true,
    judge: (group) => isSet('OnlineStoreConfig.SecurityConfig.KmsKeyId', group.onlineStore?.kmsKeyId),
  }),
];

export const SAGEMAKER_CHECKS: Check[] = [
  ...NOTEBOOK_CHECKS,
  ...DOMAIN_CHECKS,
  ...JOB_CHECKS,
  ...MODEL_CHECKS,
  ...MONITORING_CHECKS,
  ...ENDPOINT_CHECKS,
  ...REGISTRY_CHECKS,
];
