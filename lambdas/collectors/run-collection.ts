import { DeadlineExceededError, MAX_TIMER_MS } from '../aws/clients';
import { errorCode, errorMessage } from '../aws/errors';
import { newEvidenceId, writeEvidence } from '../evidence/evidence-io';
import { EVIDENCE_SCHEMA, type EvidenceRecord, type EvidenceResource, GLOBAL_REGION, type Trigger } from '../evidence/record';
import { redactTags } from '../evidence/redact';
import type { EvidenceStore, StoredObject } from '../evidence/store';
import type { Collector, CollectorContext, CollectorOutput } from './types';

export interface CollectionRun {
  record: EvidenceRecord;
  stored: StoredObject;
}

/**
 * Time a collector gets after its deadline to return what it has: every AWS call fails at the
 * deadline (see AwsClientFactory.until), so only a collector stuck elsewhere needs it. The rest
 * of the Lambda's safety margin is for writing the record.
 */
export const COLLECTOR_GRACE_MS = 5_000;

/**
 * The one way a collector runs, in Lambda, in the CLI and in tests: collect, wrap the
 * output in an evidence/v1 record with its trigger, scope and call count, and store it.
 * With a deadline, every AWS call of the run ends by it, and the record holds what was
 * collected with the unfinished calls as errors.
 */
export async function runCollection(
  collector: Collector,
  context: CollectorContext,
  store: EvidenceStore,
  trigger: Trigger,
): Promise<CollectionRun> {
  const collectedAt = context.clock().toISOString();
  const callsBefore = context.clients.calls.total;
  const bounded = context.deadline === undefined ? context : { ...context, clients: context.clients.until(context.deadline) };
  const output = await collectFailClosed(collector, bounded);
  const record: EvidenceRecord = {
    schema: EVIDENCE_SCHEMA,
    id: newEvidenceId(),
    collector: { name: collector.name, version: collector.version },
    account: context.account,
    region: collector.global ? GLOBAL_REGION : context.region,
    collectedAt,
    trigger,
    scope: context.scope,
    // Tags are free text anyone with tagging rights writes; one rule for every collector.
    resources: output.resources.map(withRedactedTags),
    errors: output.errors,
    notes: output.notes,
    deleted: output.deleted,
    calls: context.clients.calls.total - callsBefore,
  };
  const stored = await writeEvidence(store, record);
  return { record, stored };
}

function withRedactedTags(resource: EvidenceResource): EvidenceResource {
  return { ...resource, tags: redactTags(resource.tags) };
}

/**
 * A collector that throws (a bug, or an SDK fault outside any recorded call) or outlives its
 * deadline still leaves evidence: an empty snapshot whose error says why, which evaluates to
 * ERROR, never PASS.
 */
async function collectFailClosed(collector: Collector, context: CollectorContext): Promise<CollectorOutput> {
  try {
    return await withinGrace(collector.collect(context), collector.name, context.deadline);
  } catch (err) {
    return {
      resources: [],
      errors: [{ api: `${collector.name}:collect`, code: errorCode(err), message: `collector failed: ${errorMessage(err)}` }],
      notes: [],
      deleted: [],
    };
  }
}

async function withinGrace<T>(work: Promise<T>, name: string, deadline: number | undefined): Promise<T> {
  const remaining = deadline === undefined ? Number.POSITIVE_INFINITY : deadline + COLLECTOR_GRACE_MS - Date.now();
  if (remaining > MAX_TIMER_MS) return work;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(`${name} collector`)), Math.max(0, remaining));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}
