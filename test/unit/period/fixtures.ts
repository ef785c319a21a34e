import { parseConfig, type Soc2MlConfig } from '../../../lambdas/config/schema';
import { writeEvidence } from '../../../lambdas/evidence/evidence-io';
import type { EvidenceRecord } from '../../../lambdas/evidence/record';
import type { EvidenceStore } from '../../../lambdas/evidence/store';
import { producePeriod } from '../../../lambdas/period/produce';
import { parseWindow } from '../../../lambdas/period/reconstruct';
import { KEY_ARN, kmsRecord } from '../../helpers/evidence-records';

export { KEY_ARN };
export const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/PlatformAdmin/jane.doe';

/** A full KMS snapshot (one key) written to the store. */
export async function snapshotAt(store: EvidenceStore, at: string, rotationEnabled: boolean): Promise<void> {
  await writeEvidence(store, kmsRecord(at, rotationEnabled));
}

/** A single-resource re-collection of the key, caused by a CloudTrail event at `eventTime`. */
export async function recollectionAt(
  store: EvidenceStore,
  at: string,
  rotationEnabled: boolean,
  event: { eventName: string; eventId: string; eventTime: string },
): Promise<void> {
  const record: EvidenceRecord = {
    ...kmsRecord(at, rotationEnabled),
    trigger: { type: 'event', eventSource: 'kms.amazonaws.com', principal: PRINCIPAL, ...event },
    scope: { type: 'resource', resource: KEY_ARN },
  };
  await writeEvidence(store, record);
}

export async function periodOf(store: EvidenceStore, from: string, to: string, config: Soc2MlConfig = parseConfig({})) {
  return producePeriod(store, {
    window: parseWindow(from, to),
    config,
    now: new Date('2026-12-01T00:00:00Z'),
    sampleSize: 5,
    seed: 7,
  });
}

/** The intervals of one check on the key, without evidence refs. */
export function keyIntervals(result: Awaited<ReturnType<typeof periodOf>>['result'], check: string) {
  return result.checks
    .find((c) => c.check === check && c.resource === KEY_ARN)
    ?.intervals.map(({ status, from, to, cause }) => ({ status, from, to, ...(cause ? { cause: cause.eventName } : {}) }));
}
