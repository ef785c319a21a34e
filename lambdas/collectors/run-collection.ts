import { newEvidenceId, writeEvidence } from '../evidence/evidence-io';
import { EVIDENCE_SCHEMA, type EvidenceRecord, GLOBAL_REGION, type Trigger } from '../evidence/record';
import type { EvidenceStore, StoredObject } from '../evidence/store';
import type { Collector, CollectorContext } from './types';

export interface CollectionRun {
  record: EvidenceRecord;
  stored: StoredObject;
}

/**
 * The one way a collector runs, in Lambda, in the CLI and in tests: collect, wrap the
 * output in an evidence/v1 record with its trigger, scope and call count, and store it.
 */
export async function runCollection(
  collector: Collector,
  context: CollectorContext,
  store: EvidenceStore,
  trigger: Trigger,
): Promise<CollectionRun> {
  const collectedAt = context.clock().toISOString();
  const callsBefore = context.clients.calls.total;
  const output = await collector.collect(context);
  const record: EvidenceRecord = {
    schema: EVIDENCE_SCHEMA,
    id: newEvidenceId(),
    collector: { name: collector.name, version: collector.version },
    account: context.account,
    region: collector.global ? GLOBAL_REGION : context.region,
    collectedAt,
    trigger,
    scope: context.scope,
    resources: output.resources,
    errors: output.errors,
    notes: output.notes,
    deleted: output.deleted,
    calls: context.clients.calls.total - callsBefore,
  };
  const stored = await writeEvidence(store, record);
  return { record, stored };
}
