import { COLLECTOR_NAMES, type CollectorName } from '../evidence/record';
import { s3Collector } from './s3';
import type { Collector } from './types';

/** Every collector by name; the CLI, the Lambda handler and the stack all read this table. */
export const COLLECTORS: Partial<Record<CollectorName, Collector>> = {
  s3: s3Collector,
};

export function availableCollectors(): CollectorName[] {
  return COLLECTOR_NAMES.filter((name) => COLLECTORS[name] !== undefined);
}
