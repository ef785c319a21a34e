import { errorCode, errorMessage } from '../aws/errors';
import { newEvidenceId, writeEvidence } from '../evidence/evidence-io';
import { EVIDENCE_SCHEMA, type EvidenceRecord, GLOBAL_REGION, type Trigger } from '../evidence/record';
import type { EvidenceStore, StoredObject } from '../evidence/store';
import type { Collector, CollectorContext, CollectorOutput } from './types';

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
  const output = await collectFailClosed(collector, context);
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

/**
 * A collector that throws (a bug, or an SDK fault outside any recorded call) still leaves
 * evidence: an empty snapshot whose error says why, which evaluates to ERROR, never PASS.
 */
async function collectFailClosed(collector: Collector, context: CollectorContext): Promise<CollectorOutput> {
  try {
    return await collector.collect(context);
  } catch (err) {
    return {
      resources: [],
      errors: [{ api: `${collector.name}:collect`, code: errorCode(err), message: `collector failed: ${errorMessage(err)}` }],
      notes: [],
      deleted: [],
    };
  }
}
