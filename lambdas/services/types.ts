import type { ZodType } from 'zod';
import type { CollectorName } from '../evidence/record';

/**
 * An ARN pattern with placeholders that the deployment fills in: `{partition}`, `{account}`
 * and, for regional services, `{region}` (one ARN per configured region).
 */
export type ArnPattern = string;

/** Actions granted together on the same resources. */
export interface ReadGrant {
  actions: readonly string[];
  /**
   * `'*'` only for actions that do not support resource-level permissions (IAM then
   * ignores any ARN); everything else is scoped to the account's resources of that type.
   */
  resources: '*' | readonly ArnPattern[];
}

/**
 * How an identifier found in an event becomes the scope resource the collector accepts: the
 * name of a resolver in some descriptor's `resourceForms` ("s3Bucket", "kmsKey",
 * "sagemaker:endpoint").
 */
export type ResourceForm = string;

/** Where the event happened: the partition of its region, the account that recorded it, the region. */
export interface FormContext {
  partition: string;
  account: string;
  region: string;
}

/** A scope resource and, where the ARN does not keep it (SageMaker lower-cases), the name as the event wrote it. */
export interface LocatedResource {
  resource: string;
  name?: string;
}

/** Turns an identifier into a scope resource (an ARN, or the resource and its name); undefined when it is not one. */
export type ResourceFormResolver = (value: string, context: FormContext) => LocatedResource | string | undefined;

/**
 * Where an identifier sits, as a path into the event's `detail`: dots between keys, `[]` for
 * every element of an array, `[key=value]` for the elements whose key equals value.
 */
export interface Locator {
  path: string;
  form: ResourceForm;
  /** Read this path only when another field holds a value (e.g. userIdentity.userName only for an IAMUser caller). */
  when?: { path: string; equals: string };
}

/** One CloudTrail management event that can change a checked setting, and where it names its resource. */
export interface ServiceEvent {
  eventSource: string;
  eventName: string;
  /**
   * `additionalEventData.service` of the record, for services that share an event source:
   * Application Auto Scaling calls are logged as autoscaling.amazonaws.com with service
   * application-autoscaling, EC2 Auto Scaling's without it.
   */
  service?: string;
  /** One entry per affected resource; within an entry the first locator that finds a value wins. */
  affects: Locator[][];
  /**
   * When no locator finds the resource: re-collect the collector's whole region (fail closed,
   * the default) or ignore the event (it concerns something no check reads).
   */
  otherwise?: 'collect-all' | 'ignore';
  /** The event concerns checked resources only when this field holds this value (e.g. serviceNamespace). */
  onlyWhen?: { path: string; equals: string };
}

/** One kind of resource a service's evidence holds. */
export interface ResourceKindDescriptor {
  /** Evidence resource type ("AWS::SageMaker::NotebookInstance"). */
  type: string;
  /** ARN pattern of one resource, `{partition}`, `{region}`, `{account}` and `{id}` filled in. */
  arnForm: string;
  /** The normalised configuration of one resource of the kind. */
  schema: ZodType;
  /** The call that describes one resource by its id (name, or ARN where the API takes one). */
  describeApi: string;
}

/**
 * Everything the app derives from one AWS service, in one table: its resource kinds, whether it
 * is account-wide (global) or regional, the read-only IAM actions its collector calls, the page
 * sizes of its listings, and the CloudTrail events that change its resources with where each
 * names the resource. The collector registry, the IAM grants, the EventBridge rules, the event
 * resolver and the global/regional lookups are built from the list of descriptors
 * (services/index.ts).
 */
export interface ServiceDescriptor<Name extends string = CollectorName> {
  /** The collector's name: evidence keys, records and checks name the service by it. */
  name: Name;
  /** Account-wide services (S3 buckets are listed once per account, IAM is global) run once per account, not per region. */
  global: boolean;
  resourceKinds: readonly ResourceKindDescriptor[];
  readGrants: readonly ReadGrant[];
  /**
   * The largest page each listing API accepts, passed as the paginator's `pageSize` (or the
   * input field for hand-rolled loops): the service defaults (10 for SageMaker List*, 100 for
   * IAM and KMS) multiply listing calls, and so throttling and run time, on big accounts.
   */
  pageSizes: Readonly<Record<string, number>>;
  /** The forms its event locators name, each resolving an identifier to a scope resource. */
  resourceForms: Readonly<Record<ResourceForm, ResourceFormResolver>>;
  events: readonly ServiceEvent[];
}

/** Helpers the descriptors write their event tables with. */
export const at = (path: string, form: ResourceForm): Locator => ({ path, form });

export function serviceEvents(
  eventSource: string,
  names: readonly string[],
  affects: Locator[][],
  extra: Pick<ServiceEvent, 'otherwise' | 'onlyWhen' | 'service'> = {},
): ServiceEvent[] {
  return names.map((eventName) => ({ eventSource, eventName, affects, ...extra }));
}
