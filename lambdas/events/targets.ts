import { COLLECTORS } from '../collectors/registry';
import { GLOBAL_REGION, type Scope } from '../evidence/record';
import { iamAccountArn } from '../evidence/resources/iam';
import { accountPublicAccessBlockArn, bucketArn } from '../evidence/resources/s3';
import type { CloudTrailDetail } from './cloudtrail-event';
import { type EventMapping, type Locator, mappingFor, type ResourceForm } from './event-map';

/** One re-collection: a collector, the region it describes, and what. */
export interface CollectionTarget {
  collector: EventMapping['collector'];
  /** The region the collector describes; global collectors (s3, iam) use the home region. */
  region: string;
  scope: Scope;
}

export type TargetResolution =
  | { kind: 'targets'; targets: CollectionTarget[] }
  | { kind: 'unmapped' }
  | { kind: 'irrelevant'; reason: string };

/** Values at a path into the event detail (see Locator for the syntax). */
export function valuesAt(root: unknown, path: string): unknown[] {
  let nodes: unknown[] = [root];
  for (const segment of path.split('.')) {
    const match = /^([^[]+)(?:\[(?:([^=\]]+)=([^\]]*))?\])?$/.exec(segment);
    if (!match) return [];
    const [, key, filterKey, filterValue] = match;
    const isArrayStep = segment.includes('[');
    const next: unknown[] = [];
    for (const node of nodes) {
      if (node === null || typeof node !== 'object') continue;
      const child = (node as Record<string, unknown>)[key!];
      if (!isArrayStep) {
        if (child !== undefined && child !== null) next.push(child);
        continue;
      }
      if (!Array.isArray(child)) continue;
      for (const element of child) {
        if (filterKey === undefined) next.push(element);
        else if (element && typeof element === 'object' && (element as Record<string, unknown>)[filterKey] === filterValue)
          next.push(element);
      }
    }
    nodes = next;
  }
  return nodes;
}

interface FormContext {
  account: string;
  region: string;
}

const nameOf = (value: string) => value.split('/').at(-1) ?? value;

/** Turns an identifier into the collector's scope resource; undefined when it is not one. */
const FORMS: Record<string, (value: string, context: FormContext) => string | undefined> = {
  s3Bucket: (name) => (name.startsWith('arn:') ? name : bucketArn(name)),
  s3AccountPublicAccessBlock: (account) => (/^\d{12}$/.test(account) ? accountPublicAccessBlockArn(account) : undefined),
  kmsKey: (id, { account, region }) => {
    if (id.startsWith('arn:')) return id;
    if (id.startsWith('alias/')) return `arn:aws:kms:${region}:${account}:${id}`;
    return `arn:aws:kms:${region}:${account}:key/${id}`;
  },
  iamUser: (name, { account }) => (name.startsWith('arn:') ? name : `arn:aws:iam::${account}:user/${name}`),
  iamGroup: (name, { account }) => (name.startsWith('arn:') ? name : `arn:aws:iam::${account}:group/${name}`),
  iamRole: (name, { account }) => (name.startsWith('arn:') ? name : `arn:aws:iam::${account}:role/${name}`),
  iamPolicy: (arn) => (arn.startsWith('arn:') ? arn : undefined),
  iamAccount: (account) => (/^\d{12}$/.test(account) ? iamAccountArn(account) : undefined),
  cloudTrailTrail: (name, { account, region }) =>
    name.startsWith('arn:') ? name : `arn:aws:cloudtrail:${region}:${account}:trail/${name}`,
  sagemakerEndpointOfScalableTarget: (resourceId, { account, region }) => {
    const match = /^endpoint\/([^/]+)\/variant\/[^/]+$/.exec(resourceId);
    return match ? `arn:aws:sagemaker:${region}:${account}:endpoint/${match[1]!.toLowerCase()}` : undefined;
  },
};

function applyForm(form: ResourceForm, value: string, context: FormContext): string | undefined {
  if (form.startsWith('sagemaker:')) {
    const type = form.slice('sagemaker:'.length);
    if (value.startsWith('arn:')) return value;
    return `arn:aws:sagemaker:${context.region}:${context.account}:${type}/${nameOf(value).toLowerCase()}`;
  }
  return FORMS[form]?.(value, context);
}

function locate(detail: CloudTrailDetail, locators: Locator[], context: FormContext): string | undefined {
  for (const locator of locators) {
    for (const value of valuesAt(detail, locator.path)) {
      if (typeof value !== 'string' || value.length === 0) continue;
      const resource = applyForm(locator.form, value, context);
      if (resource) return resource;
    }
  }
  return undefined;
}

/**
 * What an event asks to re-collect. Identifiers come from the event; state never does: the
 * collector describes the resource afresh. A mapped event whose resource cannot be found
 * re-collects the whole collector for that region unless the map says the event can be ignored.
 */
export function resolveTargets(detail: CloudTrailDetail, homeRegion: string): TargetResolution {
  const mapping = mappingFor(detail.eventSource, detail.eventName);
  if (!mapping) return { kind: 'unmapped' };
  if (mapping.onlyWhen) {
    const [value] = valuesAt(detail, mapping.onlyWhen.path);
    if (value !== mapping.onlyWhen.equals)
      return {
        kind: 'irrelevant',
        reason: `${mapping.onlyWhen.path} is ${JSON.stringify(value)}, not ${mapping.onlyWhen.equals}`,
      };
  }
  const region = COLLECTORS[mapping.collector].global ? homeRegion : detail.awsRegion;
  const context = { account: detail.recipientAccountId, region: detail.awsRegion };
  const resources = [...new Set(mapping.affects.map((locators) => locate(detail, locators, context)))].filter(
    (r): r is string => r !== undefined,
  );
  if (resources.length > 0) {
    return {
      kind: 'targets',
      targets: resources.map((resource) => ({ collector: mapping.collector, region, scope: { type: 'resource', resource } })),
    };
  }
  if (mapping.otherwise === 'ignore') return { kind: 'irrelevant', reason: 'the event names no resource the checks read' };
  return { kind: 'targets', targets: [{ collector: mapping.collector, region, scope: { type: 'all' } }] };
}

/** Stable identity of a re-collection, for de-duplication within a batch. */
export function targetKey(target: CollectionTarget): string {
  const what = target.scope.type === 'all' ? '*' : target.scope.resource;
  const region = COLLECTORS[target.collector].global ? GLOBAL_REGION : target.region;
  return `${target.collector}|${region}|${what}`;
}
