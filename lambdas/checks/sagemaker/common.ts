import type { z } from 'zod';
import type { trainingJobSchema } from '../../evidence/resources/sagemaker';
import { defineResourceCheck, type Judge, type ResourceCheckSpec } from '../framework';
import { errorFor, fail, failureLine, missing, pass, type Verdict } from '../helpers';
import type { Check, Snapshot } from '../types';

/**
 * What the sm.* checks share. A resource whose describe failed is kept in the snapshot with its
 * name only, so it is judged ERROR citing the failed call, never skipped.
 */

export const RECREATE = 'It is fixed at creation: recreate the resource with the setting and move traffic or work to it.';

/** The collector's region-wide listings; a failure of one only blinds the checks of its kind. */
const OTHER_KIND_LISTINGS = /^(sagemaker:List|cloudwatch:DescribeAlarms$|application-autoscaling:Describe)/;

export interface SageMakerCheckSpec<T>
  extends Omit<ResourceCheckSpec<T>, 'collector' | 'population' | 'inScope' | 'undescribed'> {
  /** Plural noun for the "nothing in scope" finding. */
  what: string;
  /** SageMaker list calls whose failure means the resources may exist unseen. */
  listApis: readonly string[];
}

/** A check over the sagemaker snapshots, where another kind's failed listing does not blind it. */
export function sageMakerCheck<T>({ what, listApis, ...spec }: SageMakerCheckSpec<T>): Check {
  return defineResourceCheck({
    ...spec,
    collector: 'sagemaker',
    population: { what, listApis, otherKindListings: OTHER_KIND_LISTINGS },
  });
}

export type { Judge };

/** PASS when a setting holds a value, FAIL naming the field when it is unset. */
export function isSet(field: string, value: string | null | undefined): Verdict {
  return value ? pass(`${field} is ${value}`) : fail(`${field} is not set`);
}

export function expectValue(field: string, value: string | boolean | null | undefined, wanted: string | boolean): Verdict {
  return value === wanted
    ? pass(`${field} is ${String(value)}`)
    : fail(`${field} is ${value === null || value === undefined ? 'not set' : String(value)}, not ${String(wanted)}`);
}

/** ERROR citing a region-wide call (DescribeAlarms, ListMonitoringSchedules...) that failed. */
export function missingVia(snapshot: Snapshot, resource: string, what: string, apis: readonly string[]): Verdict {
  const error = errorFor(snapshot, resource) ?? snapshot.errors.find((e) => apis.includes(e.api));
  return error
    ? { status: 'ERROR', detail: `${what} could not be collected: ${failureLine(error)}` }
    : missing(snapshot, resource, what);
}

type FlaggedEntries = z.infer<typeof trainingJobSchema>['flaggedEntries'];

/** The finding for sm.*.no_secrets: key and rule of each flagged entry, never its value. */
export function noSecretsVerdict(flagged: FlaggedEntries, what: string): Verdict {
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

export const SECRETS_REMEDIATION =
  'Remove the credential from the definition, rotate it, and pass a Secrets Manager reference the workload reads at run time (or use the execution role).';
