import {
  endpointConfigSchema,
  endpointSchema,
  monitoringScheduleSchema,
  SM_ENDPOINT_CONFIG_TYPE,
  SM_ENDPOINT_TYPE,
  SM_MODEL_PACKAGE_TYPE,
  SM_MODEL_TYPE,
  SM_MONITORING_SCHEDULE_TYPE,
  SM_TRAINING_JOB_TYPE,
  type SmEndpoint,
  type SmEndpointConfig,
  type SmMonitoringSchedule,
  trainingJobSchema,
} from '../../evidence/resources/sagemaker';
import { readConfiguration } from '../framework';
import type { Snapshot, SnapshotResource } from '../types';

export const MODEL_LIST = ['sagemaker:ListModels'];
export const ENDPOINT_LIST = ['sagemaker:ListEndpoints'];

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

export function sageMakerIndex(snapshot: Snapshot): SageMakerIndex {
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
      const config = readConfiguration(endpointConfigSchema, resource);
      if (config?.name) firstBy(index.endpointConfigs, config.name.toLowerCase(), { resource, config });
    } else if (resource.type === SM_ENDPOINT_TYPE) {
      const name = readConfiguration(endpointSchema, resource)?.endpointConfigName;
      if (name) index.endpointConfigsInUse.add(name.toLowerCase());
    } else if (resource.type === SM_MODEL_TYPE) {
      firstBy(index.models, modelName(resource), resource);
    } else if (resource.type === SM_MODEL_PACKAGE_TYPE) {
      firstBy(index.modelPackages, resource.arn.toLowerCase(), resource);
    } else if (resource.type === SM_MONITORING_SCHEDULE_TYPE) {
      const schedule = readConfiguration(monitoringScheduleSchema, resource);
      if (schedule?.endpointName) {
        const key = schedule.endpointName.toLowerCase();
        index.schedulesByEndpoint.set(key, [...(index.schedulesByEndpoint.get(key) ?? []), schedule]);
      }
    } else if (resource.type === SM_TRAINING_JOB_TYPE) {
      const job = readConfiguration(trainingJobSchema, resource);
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

export function inServiceEndpoints(snapshot: Snapshot): { resource: SnapshotResource; endpoint: SmEndpoint }[] {
  return ofType(snapshot, SM_ENDPOINT_TYPE)
    .map((resource) => ({ resource, endpoint: readConfiguration(endpointSchema, resource) }))
    .filter((e): e is { resource: SnapshotResource; endpoint: SmEndpoint } => e.endpoint?.status === 'InService');
}

export function endpointConfigNamed(snapshot: Snapshot, name: string | null) {
  return name ? sageMakerIndex(snapshot).endpointConfigs.get(name.toLowerCase()) : undefined;
}

export const modelName = (resource: SnapshotResource): string =>
  String((resource.configuration as { name?: unknown }).name ?? '').toLowerCase();

/**
 * An artifact traces to a training job when it lies under the job's artifact or output path:
 * the artifact itself and each of its "/"-ended prefixes are looked up, and the job first in
 * the snapshot wins.
 */
export function producingJob(snapshot: Snapshot, artifact: string): string | undefined {
  const { jobsByArtifact } = sageMakerIndex(snapshot);
  let best = jobsByArtifact.get(artifact);
  for (let slash = artifact.indexOf('/'); slash >= 0; slash = artifact.indexOf('/', slash + 1)) {
    const job = jobsByArtifact.get(artifact.slice(0, slash + 1));
    if (job && (!best || job.position < best.position)) best = job;
  }
  return best?.arn;
}
