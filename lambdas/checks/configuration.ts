import type { z } from 'zod';
import type { CollectorName } from '../evidence/record';
import { accountRootArn, judgeEach, missing, type Verdict } from './helpers';
import type { Check, CheckContext, Snapshot, SnapshotResource } from './types';

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

/**
 * Wraps a judge so that it sees the resource's configuration parsed by its schema: a record
 * that does not match is ERROR, never a guess.
 */
export function withConfiguration<T>(
  schema: z.ZodType<T>,
  judge: (configuration: T, resource: SnapshotResource, snapshot: Snapshot) => Verdict,
): (resource: SnapshotResource, snapshot: Snapshot) => Verdict {
  return (resource, snapshot) => {
    const parsed = parseConfiguration(schema, resource);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        status: 'ERROR',
        detail: `${resource.type} configuration does not match its schema at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? ''}`,
      };
    }
    return judge(parsed.data, resource, snapshot);
  };
}

export interface ResourceCheckSpec<T> {
  id: string;
  collector: CollectorName;
  passCondition: string;
  remediation: string;
  /** Resource type judged. */
  type: string;
  schema: z.ZodType<T>;
  /** Which resources of the type are in scope; sees the raw configuration, so it must tolerate missing fields. */
  select?: (configuration: Partial<T>, resource: SnapshotResource, context: CheckContext) => boolean;
  judge: (configuration: T, resource: SnapshotResource, snapshot: Snapshot, context: CheckContext) => Verdict;
  /** Names the resources in scope, for the NOT_APPLICABLE finding (on the account root ARN). */
  scopeName: string;
  /** The listing calls that enumerate resources of the type (see Population); none for an account-level record. */
  listApis: readonly string[];
  /**
   * Recognises a name-only record (the collector could not describe the resource): ERROR citing
   * the recorded failure, instead of a schema mismatch.
   */
  undescribed?: (configuration: Partial<T>) => boolean;
}

/** The usual check: one finding per in-scope resource of one type, its configuration schema-checked. */
export function resourceCheck<T>(spec: ResourceCheckSpec<T>): Check {
  return {
    id: spec.id,
    collectors: [spec.collector],
    passCondition: spec.passCondition,
    remediation: spec.remediation,
    run: (context) =>
      judgeEach(
        spec.id,
        context.snapshots(spec.collector),
        (r) => r.type === spec.type && (spec.select?.(r.configuration as Partial<T>, r, context) ?? true),
        (r, s) =>
          spec.undescribed?.(r.configuration as Partial<T>)
            ? missing(s, r.arn, `${r.type} configuration`)
            : withConfiguration(spec.schema, (c: T, resource, snapshot) => spec.judge(c, resource, snapshot, context))(r, s),
        { resource: (s) => accountRootArn(s.account), what: spec.scopeName, listApis: spec.listApis },
      ),
  };
}

/** Whole days between an ISO timestamp and now. */
export function daysSince(now: Date, timestamp: string): number {
  return Math.floor((now.getTime() - Date.parse(timestamp)) / 86_400_000);
}
