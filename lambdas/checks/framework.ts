import type { z } from 'zod';
import { COLLECTOR_NAMES, type CollectionError, type CollectorName, GLOBAL_REGION } from '../evidence/record';
import { accountRootArn, findingFor, incompleteDetail, missing, type Verdict } from './helpers';
import { failClosedOnScopeGaps } from './ml-scope';
import type { Check, CheckContext, Finding, Snapshot, SnapshotResource } from './types';

/**
 * The one way to declare a check. A resource check judges every in-scope resource of one type:
 *
 * - schema: the recorded configuration is validated first. A record that does not match is ERROR,
 *   never a guess; when the collector recorded a failure for the resource (a stub kept by name
 *   after its describe failed: `undescribed`), the ERROR cites that failed call instead.
 * - scope: `inScope` decides from the fields as recorded (it must keep in scope a resource whose
 *   deciding field is missing), `select` from the validated configuration (a resource whose
 *   configuration cannot be read stays in scope, so it is ERROR).
 * - population: besides one finding per resource, one account-level finding per population when
 *   it is not known to be complete (ERROR naming the failed listing call) or is empty
 *   (NOT_APPLICABLE with its reason).
 *
 * An account-level check (`defineAccountCheck`) judges each collected account as a whole, and a
 * store check (`defineStoreCheck`) the evidence store itself; both declare the same metadata.
 */

export type Judge<T> = (configuration: T, resource: SnapshotResource, snapshot: Snapshot, context: CheckContext) => Verdict;

/** Names the population a check judges, for its account-level findings. */
export interface Population {
  /** The resources judged, in the plural, as precisely as the check selects them ("multi-instance training jobs in the look-back window"). */
  what: string;
  /**
   * The listing calls that enumerate the population. When one failed (possibly after some pages
   * were read) the resources seen are not the whole population: the account and region get an
   * ERROR naming the call, besides the findings on the resources that were seen.
   */
  listApis: readonly string[];
  /** The NOT_APPLICABLE detail when nothing is in scope; `no <what>` unless given. */
  none?: string;
  /**
   * Region-wide listings of other resource kinds of the same collector: their failure blinds only
   * the checks whose `listApis` name them (a failed ListFeatureGroups must not turn "no notebooks"
   * into ERROR). Any other unowned failure (the collector crashed, the deadline hit) blinds all.
   */
  otherKindListings?: RegExp;
}

export interface ResourceCheckSpec<T> {
  id: string;
  /** The collector whose snapshots hold the resources judged. */
  collector: CollectorName;
  /**
   * Every collector whose evidence the scope or the judge reads, `collector` among them, in the
   * order reports name them (missing or stale evidence of any leaves the check unjudged); only
   * `collector` unless given.
   */
  collectors?: readonly CollectorName[];
  /** The pass condition in one line (shown in reports). */
  passCondition: string;
  /** What to do when it fails. */
  remediation: string;
  /** Resource type judged, or the types when one setting is recorded on several kinds. */
  type: string | readonly string[];
  schema: z.ZodType<T>;
  /** Scope from the fields as recorded (the configuration may be partial or invalid). */
  inScope?: (recorded: Partial<T>, resource: SnapshotResource, snapshot: Snapshot, context: CheckContext) => boolean;
  /** Scope from the validated configuration; a resource that does not match its schema stays in scope. */
  select?: (configuration: T, resource: SnapshotResource, snapshot: Snapshot, context: CheckContext) => boolean;
  /**
   * Recognises a stub the collector kept because it could not describe the resource, among the
   * records that do not match the schema: ERROR citing the recorded failure. By default, a record
   * the collector recorded a failure for.
   */
  undescribed?: (recorded: Partial<T>, resource: SnapshotResource, snapshot: Snapshot) => boolean;
  /** What the stub's ERROR says could not be collected; `<type> configuration` unless given. */
  undescribedWhat?: string;
  judge: Judge<T>;
  population: Population;
  /**
   * 'region' (default): one population per collected account and region. 'account': the type is
   * recorded in every region of an account (multi-region trails and their shadow copies): one
   * population per account, each ARN judged once, the copy `prefer` picks, account-level findings
   * in the global region.
   */
  span?: 'region' | { account: true; prefer: (candidate: SnapshotResource, kept: SnapshotResource) => boolean };
  /** The scope depends on ML scope (SageMaker evidence): fail closed where it is incomplete. */
  mlScoped?: boolean;
  /** Findings the population cannot express, added to the judged ones (a listed ML bucket never collected). */
  complete?: (findings: Finding[], context: CheckContext) => Finding[];
}

const parsedConfigurations = new WeakMap<SnapshotResource, Map<z.ZodType<unknown>, z.ZodSafeParseResult<unknown>>>();

/**
 * A resource's configuration parsed by a schema, once per resource and schema however many
 * checks ask: a large estate is judged by dozens of checks, and parsing dominated evaluation.
 * Checks are pure, so the shared parsed value is never mutated.
 */
export function parseConfiguration<T>(schema: z.ZodType<T>, resource: SnapshotResource): z.ZodSafeParseResult<T> {
  let bySchema = parsedConfigurations.get(resource);
  if (!bySchema) {
    bySchema = new Map();
    parsedConfigurations.set(resource, bySchema);
  }
  let parsed = bySchema.get(schema);
  if (!parsed) {
    parsed = schema.safeParse(resource.configuration);
    bySchema.set(schema, parsed);
  }
  return parsed as z.ZodSafeParseResult<T>;
}

/** The configuration when it matches the schema, undefined otherwise. */
export function readConfiguration<T>(schema: z.ZodType<T>, resource: SnapshotResource): T | undefined {
  const parsed = parseConfiguration(schema, resource);
  return parsed.success ? parsed.data : undefined;
}

/** ERROR naming where a record departs from its schema. */
export function schemaMismatch(resource: SnapshotResource, error: z.ZodError): Verdict {
  const issue = error.issues[0];
  return {
    status: 'ERROR',
    detail: `${resource.type} configuration does not match its schema at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? ''}`,
  };
}

/** Runs a judge on the configuration validated by its schema (a record that does not match is ERROR). */
export function judgeValidated<T>(
  schema: z.ZodType<T>,
  judge: Judge<T>,
  resource: SnapshotResource,
  snapshot: Snapshot,
  context: CheckContext,
): Verdict {
  const parsed = parseConfiguration(schema, resource);
  return parsed.success ? judge(parsed.data, resource, snapshot, context) : schemaMismatch(resource, parsed.error);
}

/** A resource with the snapshot that recorded it (its own region's, for an account-wide type). */
export interface Member {
  resource: SnapshotResource;
  snapshot: Snapshot;
}

/** One population: the resources of an account and region (or of a whole account), with the failures recorded there. */
interface Group {
  account: string;
  region: string;
  evidence: Snapshot['evidence'];
  members: Member[];
  errors: CollectionError[];
}

const byRegion = (snapshots: Snapshot[], isJudged: (resource: SnapshotResource) => boolean): Group[] =>
  snapshots.map((snapshot) => ({
    account: snapshot.account,
    region: snapshot.region,
    evidence: snapshot.evidence,
    members: snapshot.resources.filter(isJudged).map((resource) => ({ resource, snapshot })),
    errors: snapshot.errors,
  }));

/** Snapshots by account, in snapshot order. */
export function snapshotsByAccount(snapshots: Snapshot[]): Map<string, Snapshot[]> {
  const accounts = new Map<string, Snapshot[]>();
  for (const snapshot of snapshots) accounts.set(snapshot.account, [...(accounts.get(snapshot.account) ?? []), snapshot]);
  return accounts;
}

/** The resources of an account-wide type across an account's regional snapshots, each ARN once: the copy `prefer` picks. */
export function accountWideResources(
  snapshots: Snapshot[],
  isJudged: (resource: SnapshotResource) => boolean,
  prefer: (candidate: SnapshotResource, kept: SnapshotResource) => boolean,
): Member[] {
  const members: Member[] = [];
  for (const snapshot of snapshots) {
    for (const resource of snapshot.resources.filter(isJudged)) {
      const index = members.findIndex((m) => m.resource.arn === resource.arn);
      if (index < 0) members.push({ resource, snapshot });
      else if (prefer(resource, members[index]!.resource)) members[index] = { resource, snapshot };
    }
  }
  return members;
}

const byAccount = (
  snapshots: Snapshot[],
  isJudged: (resource: SnapshotResource) => boolean,
  prefer: (candidate: SnapshotResource, kept: SnapshotResource) => boolean,
): Group[] =>
  [...snapshotsByAccount(snapshots)].map(([account, mine]) => ({
    account,
    region: GLOBAL_REGION,
    evidence: mine[0]!.evidence,
    members: accountWideResources(mine, isJudged, prefer),
    errors: mine.flatMap((snapshot) => snapshot.errors),
  }));

/** The failure that makes the population incomplete, if any (see Population). */
function listingFailure(errors: CollectionError[], population: Population, judged: number): CollectionError | undefined {
  const unowned = errors.filter(
    (e) =>
      e.resource === undefined &&
      (!population.otherKindListings || population.listApis.includes(e.api) || !population.otherKindListings.test(e.api)),
  );
  return unowned.find((e) => population.listApis.includes(e.api)) ?? (judged === 0 ? unowned[0] : undefined);
}

/**
 * The account-level finding of a population: ERROR naming the listing that failed, NOT_APPLICABLE
 * with its reason when nothing is in scope, undefined when the population is whole and judged.
 * An empty population with any unowned failure is ERROR: an empty list we could not read is not
 * "nothing in scope".
 */
export function populationFinding(
  check: string,
  population: Population,
  where: Pick<Group, 'account' | 'region' | 'evidence' | 'errors'>,
  judged: number,
): Finding | undefined {
  const failed = listingFailure(where.errors, population, judged);
  if (!failed && judged > 0) return undefined;
  return {
    check,
    resource: accountRootArn(where.account),
    account: where.account,
    region: where.region,
    status: failed ? 'ERROR' : 'NOT_APPLICABLE',
    detail: failed ? incompleteDetail(population.what, failed, judged) : (population.none ?? `no ${population.what}`),
    evidence: where.evidence,
  };
}

export function defineResourceCheck<T>(spec: ResourceCheckSpec<T>): Check {
  const recorded = (resource: SnapshotResource) => resource.configuration as Partial<T>;
  const isStub =
    spec.undescribed ??
    ((_recorded: Partial<T>, resource: SnapshotResource, snapshot: Snapshot) =>
      snapshot.errors.some((e) => e.resource === resource.arn));
  const inScope = ({ resource, snapshot }: Member, context: CheckContext) => {
    if (spec.inScope && !spec.inScope(recorded(resource), resource, snapshot, context)) return false;
    const configuration = spec.select ? readConfiguration(spec.schema, resource) : undefined;
    return configuration === undefined || !spec.select || spec.select(configuration, resource, snapshot, context);
  };
  const judge = ({ resource, snapshot }: Member, context: CheckContext): Verdict => {
    const parsed = parseConfiguration(spec.schema, resource);
    if (parsed.success) return spec.judge(parsed.data, resource, snapshot, context);
    return isStub(recorded(resource), resource, snapshot)
      ? missing(snapshot, resource.arn, spec.undescribedWhat ?? `${resource.type} configuration`)
      : schemaMismatch(resource, parsed.error);
  };
  const types: readonly string[] = typeof spec.type === 'string' ? [spec.type] : spec.type;
  const isJudged = (resource: SnapshotResource) => types.includes(resource.type);
  const span = spec.span ?? 'region';
  const run = (context: CheckContext): Finding[] => {
    const snapshots = context.snapshots(spec.collector);
    const groups = span === 'region' ? byRegion(snapshots, isJudged) : byAccount(snapshots, isJudged, span.prefer);
    const findings: Finding[] = [];
    for (const group of groups) {
      const members = group.members.filter((member) => inScope(member, context));
      for (const member of members) findings.push(findingFor(spec.id, member.resource, judge(member, context)));
      const account = populationFinding(spec.id, spec.population, group, members.length);
      if (account) findings.push(account);
    }
    return spec.complete ? spec.complete(findings, context) : findings;
  };
  return {
    id: spec.id,
    collectors: [...(spec.collectors ?? [spec.collector])],
    passCondition: spec.passCondition,
    remediation: spec.remediation,
    run: spec.mlScoped ? failClosedOnScopeGaps(spec.id, run) : run,
  };
}

/** What an account-level check sees of one account: its snapshots of the collectors that define the accounts. */
export interface AccountEvidence {
  account: string;
  snapshots: Snapshot[];
}

export interface AccountCheckSpec {
  id: string;
  /**
   * The accounts judged: those with evidence of one collector (in snapshot order), or, for the
   * store's self-checks, every account with evidence of any collector (sorted).
   */
  accountsOf: CollectorName | 'every collector';
  /** Every collector whose evidence the check reads; `accountsOf` unless given (none for every collector). */
  collectors?: readonly CollectorName[];
  passCondition: string;
  remediation: string;
  /** The findings for one account: on the account root, or on the resources that decide it. */
  judge: (account: AccountEvidence, context: CheckContext) => Finding[];
  /** The findings when no account has evidence at all; none unless given. */
  noAccount?: (context: CheckContext) => Finding[];
}

function accountsOf(spec: AccountCheckSpec, context: CheckContext): Map<string, Snapshot[]> {
  if (spec.accountsOf !== 'every collector') return snapshotsByAccount(context.snapshots(spec.accountsOf));
  const all = snapshotsByAccount(COLLECTOR_NAMES.flatMap((collector) => context.snapshots(collector)));
  return new Map([...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A check that judges each account as a whole (one trail suffices, the account's change events...). */
export function defineAccountCheck(spec: AccountCheckSpec): Check {
  const defaultCollectors = spec.accountsOf === 'every collector' ? [] : [spec.accountsOf];
  return {
    id: spec.id,
    collectors: [...(spec.collectors ?? defaultCollectors)],
    passCondition: spec.passCondition,
    remediation: spec.remediation,
    run: (context) => {
      const accounts = accountsOf(spec, context);
      if (accounts.size === 0) return spec.noAccount?.(context) ?? [];
      return [...accounts].flatMap(([account, snapshots]) => spec.judge({ account, snapshots }, context));
    },
  };
}

export interface StoreCheckSpec {
  id: string;
  /** Collectors whose evidence the check reads (none for a check on the store alone). */
  collectors: readonly CollectorName[];
  passCondition: string;
  remediation: string;
  /** The findings about the store, from the facts the caller measured and the evidence it holds. */
  judge: (context: CheckContext) => Finding[];
}

/** A self-check of the evidence store (its lock, its digest chain, the freshness of what it holds). */
export function defineStoreCheck(spec: StoreCheckSpec): Check {
  return {
    id: spec.id,
    collectors: [...spec.collectors],
    passCondition: spec.passCondition,
    remediation: spec.remediation,
    run: spec.judge,
  };
}
