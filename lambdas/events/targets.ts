import { type CollectorName, GLOBAL_REGION, type Scope } from '../evidence/record';
import { eventsOf, resourceFormsOf, SERVICES, serviceOf, servicesByName } from '../services';
import type { FormContext, LocatedResource, ServiceDescriptor } from '../services/types';
import { type CloudTrailDetail, partitionOf } from './cloudtrail-event';
import { eventLookup, type Locator, type ResourceForm } from './event-map';

/** One re-collection: a collector, the region it describes, and what. */
export interface CollectionTarget<Name extends string = CollectorName> {
  collector: Name;
  /** The region the collector describes; global collectors (s3, iam) use the home region. */
  region: string;
  scope: Scope;
}

export type TargetResolution<Name extends string = CollectorName> =
  | { kind: 'targets'; targets: CollectionTarget<Name>[] }
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

/** Turns an identifier into the scope resource its form names; undefined when it is not one. */
type ApplyForm = (form: ResourceForm, value: string, context: FormContext) => LocatedResource | undefined;

function formsOf(services: readonly ServiceDescriptor<string>[]): ApplyForm {
  const forms = resourceFormsOf(services);
  return (form, value, context) => {
    const formed = forms.get(form)?.(value, context);
    return typeof formed === 'string' ? { resource: formed } : formed;
  };
}

function locate(
  applyForm: ApplyForm,
  detail: CloudTrailDetail,
  locators: Locator[],
  context: FormContext,
): LocatedResource | undefined {
  for (const locator of locators) {
    if (locator.when && valuesAt(detail, locator.when.path)[0] !== locator.when.equals) continue;
    for (const value of valuesAt(detail, locator.path)) {
      if (typeof value !== 'string' || value.length === 0) continue;
      const located = applyForm(locator.form, value, context);
      if (located) return located;
    }
  }
  return undefined;
}

/**
 * The resolver of the given services' events (every service's, or more in tests). Identifiers
 * come from the event; state never does: the collector describes the resource afresh. A mapped
 * event whose resource cannot be found re-collects the whole collector for that region unless
 * the map says the event can be ignored.
 */
export function targetResolver<Name extends string>(
  services: readonly ServiceDescriptor<Name>[],
): (detail: CloudTrailDetail, homeRegion: string) => TargetResolution<Name> {
  const mappingOf = eventLookup(eventsOf(services));
  const applyForm = formsOf(services);
  const byName = servicesByName(services);
  return (detail, homeRegion) => {
    const mapping = mappingOf(detail);
    if (!mapping) return { kind: 'unmapped' };
    if (mapping.onlyWhen) {
      const [value] = valuesAt(detail, mapping.onlyWhen.path);
      if (value !== mapping.onlyWhen.equals)
        return {
          kind: 'irrelevant',
          reason: `${mapping.onlyWhen.path} is ${JSON.stringify(value)}, not ${mapping.onlyWhen.equals}`,
        };
    }
    const region = byName.get(mapping.collector)?.global ? homeRegion : detail.awsRegion;
    const context = { partition: partitionOf(detail), account: detail.recipientAccountId, region: detail.awsRegion };
    const located = new Map<string, LocatedResource>();
    for (const locators of mapping.affects) {
      const found = locate(applyForm, detail, locators, context);
      if (found && !located.has(found.resource)) located.set(found.resource, found);
    }
    if (located.size > 0) {
      return {
        kind: 'targets',
        targets: [...located.values()].map(({ resource, name }) => ({
          collector: mapping.collector,
          region,
          scope: { type: 'resource', resource, ...(name !== undefined ? { name } : {}) },
        })),
      };
    }
    if (mapping.otherwise === 'ignore') return { kind: 'irrelevant', reason: 'the event names no resource the checks read' };
    return { kind: 'targets', targets: [{ collector: mapping.collector, region, scope: { type: 'all' } }] };
  };
}

/** What an event asks to re-collect, from every service's events. */
export const resolveTargets: (detail: CloudTrailDetail, homeRegion: string) => TargetResolution = targetResolver(SERVICES);

/** Stable identity of a re-collection, for de-duplication within a batch. */
export function targetKey(target: CollectionTarget): string {
  const what = target.scope.type === 'all' ? '*' : target.scope.resource;
  const region = serviceOf(target.collector).global ? GLOBAL_REGION : target.region;
  return `${target.collector}|${region}|${what}`;
}
