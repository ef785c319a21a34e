import { BEDROCK_LOGGING_TYPE } from '../evidence/resources/bedrock';
import { referencesOf } from '../evidence/resources/references';
import { bucketArn, bucketNameOf } from '../evidence/resources/s3';
import type { Snapshot } from './types';

/** Columns of the data-flow graph, left to right, in the order data flows. */
export const INVENTORY_KINDS = [
  'bucket',
  'image',
  'feature group',
  'processing job',
  'training job',
  'model package',
  'model',
  'endpoint config',
  'endpoint',
  'agent',
  'other',
] as const;
export type InventoryKind = (typeof INVENTORY_KINDS)[number];

export interface InventoryNode {
  id: string;
  kind: InventoryKind;
  label: string;
  account: string;
  region: string;
}

/** `from` feeds `to`: a bucket feeds the job that reads it, a model feeds the endpoint config that serves it. */
export interface InventoryEdge {
  from: string;
  to: string;
}

export interface MlInventory {
  nodes: InventoryNode[];
  edges: InventoryEdge[];
  counts: Partial<Record<InventoryKind, number>>;
}

const KIND_BY_TYPE: [RegExp, InventoryKind][] = [
  [/TrainingJob$/i, 'training job'],
  // Bedrock fine-tuning is training: its data flows into a custom model.
  [/ModelCustomizationJob$/i, 'training job'],
  [/::Bedrock::(Agent|KnowledgeBase)$/i, 'agent'],
  [/ProcessingJob$/i, 'processing job'],
  [/ModelPackage$/i, 'model package'],
  [/EndpointConfig$/i, 'endpoint config'],
  [/Endpoint$/i, 'endpoint'],
  [/FeatureGroup$/i, 'feature group'],
  [/Model$/i, 'model'],
];

function kindOf(type: string): InventoryKind {
  return KIND_BY_TYPE.find(([pattern]) => pattern.test(type))?.[1] ?? 'other';
}

function labelOf(arn: string): string {
  const slash = arn.lastIndexOf('/');
  if (slash >= 0) return arn.slice(slash + 1);
  return arn.slice(arn.lastIndexOf(':') + 1);
}

/**
 * The ML inventory and data-flow graph from the latest evidence: every resource that records
 * references (SageMaker, Bedrock) becomes a node, and so does every container image one runs; the buckets it reads or writes and the resources it
 * depends on become edges into it. Buckets appear only when something references them.
 */
export function buildMlInventory(snapshots: Snapshot[]): MlInventory {
  const nodes = new Map<string, InventoryNode>();
  const edges = new Map<string, InventoryEdge>();
  const addEdge = (from: string, to: string) => edges.set(`${from}\n${to}`, { from, to });

  for (const snapshot of snapshots) {
    for (const resource of snapshot.resources) {
      const references = referencesOf(resource.configuration);
      // The invocation-logging setting is the account's, not a resource in the flow (its bucket is ML data all the same).
      if (!references || resource.type === BEDROCK_LOGGING_TYPE) continue;
      nodes.set(resource.arn, {
        id: resource.arn,
        kind: kindOf(resource.type),
        label: labelOf(resource.arn),
        account: resource.account,
        region: resource.region,
      });
      for (const uri of references.s3Uris) {
        const name = bucketNameOf(uri);
        if (!name) continue;
        const id = bucketArn(name);
        if (!nodes.has(id))
          nodes.set(id, { id, kind: 'bucket', label: name, account: resource.account, region: resource.region });
        addEdge(id, resource.arn);
      }
      for (const dependency of references.resources) addEdge(dependency, resource.arn);
      // A container image feeds the job or model that runs it.
      for (const image of references.images ?? []) {
        if (!nodes.has(image))
          nodes.set(image, {
            id: image,
            kind: 'image',
            label: labelOf(image),
            account: resource.account,
            region: resource.region,
          });
        addEdge(image, resource.arn);
      }
    }
  }
  // A dependency that was not collected (outside the look-back window, say) still shows, as "other".
  for (const edge of edges.values()) {
    if (!nodes.has(edge.from)) {
      nodes.set(edge.from, { id: edge.from, kind: 'other', label: labelOf(edge.from), account: '', region: '' });
    }
  }
  const counts: Partial<Record<InventoryKind, number>> = {};
  for (const node of nodes.values()) counts[node.kind] = (counts[node.kind] ?? 0) + 1;
  return { nodes: [...nodes.values()], edges: [...edges.values()], counts };
}
