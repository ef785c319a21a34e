import pLimit from 'p-limit';
import type { AwsClientFactory } from '../aws/clients';
import { errorMessage } from '../aws/errors';
import { COLLECTORS } from '../collectors/registry';
import type { Soc2MlConfig } from '../config/schema';
import type { Trigger } from '../evidence/record';
import type { EvidenceStore } from '../evidence/store';
import { collectInto } from '../flows/collect';
import { openMemberAccount, sessionNameFor } from '../organization/member-account';
import { accountSelected } from '../organization/plan';
import { writeChangeLog } from './change-log';
import { type CloudTrailEvent, parseCloudTrailEvent, partitionOf, principalOf } from './cloudtrail-event';
import { type CollectionTarget, resolveTargets, targetKey } from './targets';

/** One delivered message: an SQS message (id = messageId) or a file (id = its path). */
export interface ChangeMessage {
  id: string;
  body: unknown;
}

export type MessageOutcome = { id: string } & (
  | { status: 'recollected'; eventId: string; eventName: string; resources: string[]; changeLog: 'stored' | 'duplicate' }
  | { status: 'recorded-only'; eventId: string; eventName: string; changeLog: 'stored' | 'duplicate' }
  | { status: 'ignored'; reason: string }
  | { status: 'duplicate'; eventId: string }
  /** The message is not a CloudTrail event: reported as a failure so that it ends in the dead-letter queue. */
  | { status: 'rejected'; reason: string }
  /** Re-collection or storing failed: reported as a failure so that SQS delivers it again. */
  | { status: 'failed'; reason: string }
);

export interface Recollection {
  collector: string;
  region: string;
  resource: string;
  key?: string;
  resources: number;
  deleted: string[];
  errors: number;
  calls: number;
  failure?: string;
}

export interface ChangeBatchResult {
  outcomes: MessageOutcome[];
  recollections: Recollection[];
  /** AWS calls made by all re-collections of the batch. */
  calls: number;
}

/** The structured log the path writes to: Powertools Logger in Lambda, stderr in the CLI. */
export interface PathLogger {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

export interface ChangePathDeps {
  store: EvidenceStore;
  clients: AwsClientFactory;
  config: Soc2MlConfig;
  /** The account these credentials describe. */
  account: string;
  /** Where global collectors (s3, iam) call their endpoints. */
  homeRegion: string;
  /** Eventual-consistency wait before describing what changed. */
  delayMs: number;
  sleep: (ms: number) => Promise<void>;
  clock: () => Date;
  logger: PathLogger;
  /** Epoch ms after which collectors start no new describe. */
  deadline?: number;
}

/** Re-collections of one batch run a few at a time: each is one resource, but a batch can name many. */
const RECOLLECTION_CONCURRENCY = 4;

interface Accepted {
  message: ChangeMessage;
  event: CloudTrailEvent;
  targets: CollectionTarget[];
}

type Triage = { accepted: Accepted } | { recordOnly: { message: ChangeMessage; event: CloudTrailEvent } } | MessageOutcome;

/**
 * The change path: parse and triage a batch, de-duplicate by CloudTrail eventID and by the
 * resource to re-collect, wait for eventual consistency, re-collect each resource through the
 * scheduled collectors' code (the event is never trusted for state), then store each event,
 * redacted, as change-log evidence. Every message ends in an outcome; nothing throws.
 */
export async function handleChangeEvents(messages: ChangeMessage[], deps: ChangePathDeps): Promise<ChangeBatchResult> {
  const outcomes = new Map<string, MessageOutcome>();
  const accepted: Accepted[] = [];
  const recordOnly: { message: ChangeMessage; event: CloudTrailEvent }[] = [];
  const seenEventIds = new Set<string>();

  for (const message of messages) {
    const triage = triageMessage(message, deps);
    if ('accepted' in triage || 'recordOnly' in triage) {
      const event = 'accepted' in triage ? triage.accepted.event : triage.recordOnly.event;
      if (seenEventIds.has(event.detail.eventID)) {
        outcomes.set(message.id, { id: message.id, status: 'duplicate', eventId: event.detail.eventID });
        continue;
      }
      seenEventIds.add(event.detail.eventID);
      if ('accepted' in triage) accepted.push(triage.accepted);
      else recordOnly.push(triage.recordOnly);
    } else outcomes.set(message.id, triage);
  }

  // One re-collection per resource, attributed to the latest event that touched it.
  const planned = new Map<string, { target: CollectionTarget; event: CloudTrailEvent }>();
  for (const item of accepted) {
    for (const target of item.targets) {
      const key = targetKey(target);
      const current = planned.get(key);
      if (!current || current.event.detail.eventTime <= item.event.detail.eventTime)
        planned.set(key, { target, event: item.event });
    }
  }

  if (planned.size > 0 && deps.delayMs > 0) await deps.sleep(deps.delayMs);
  const limit = pLimit(RECOLLECTION_CONCURRENCY);
  const results = new Map<string, Recollection>();
  await Promise.all(
    [...planned.entries()].map(([key, { target, event }]) =>
      limit(async () => results.set(key, await recollect(target, event, deps))),
    ),
  );

  for (const item of accepted) {
    const done = item.targets.map((target) => results.get(targetKey(target))!);
    const failed = done.find((r) => r.failure !== undefined);
    const { eventID: eventId, eventName } = item.event.detail;
    if (failed) {
      outcomes.set(item.message.id, { id: item.message.id, status: 'failed', reason: failed.failure! });
      continue;
    }
    const write = await storeChangeLog(item.event, deps, 'recollected', done);
    outcomes.set(
      item.message.id,
      write.ok
        ? {
            id: item.message.id,
            status: 'recollected',
            eventId,
            eventName,
            resources: done.map((r) => r.resource),
            changeLog: write.status,
          }
        : { id: item.message.id, status: 'failed', reason: write.reason },
    );
  }
  for (const { message, event } of recordOnly) {
    const write = await storeChangeLog(event, deps, 'recorded-only', []);
    const { eventID: eventId, eventName } = event.detail;
    outcomes.set(
      message.id,
      write.ok
        ? { id: message.id, status: 'recorded-only', eventId, eventName, changeLog: write.status }
        : { id: message.id, status: 'failed', reason: write.reason },
    );
  }

  const ordered = messages.map((m) => outcomes.get(m.id)!);
  for (const outcome of ordered) logOutcome(deps.logger, outcome);
  const recollections = [...results.values()];
  return { outcomes: ordered, recollections, calls: recollections.reduce((sum, r) => sum + r.calls, 0) };
}

function triageMessage(message: ChangeMessage, deps: ChangePathDeps): Triage {
  const parsed = parseCloudTrailEvent(message.body);
  if (!parsed.ok) return { id: message.id, status: 'rejected', reason: `malformed CloudTrail event: ${parsed.problem}` };
  const { event } = parsed;
  const { detail } = event;
  const name = `${detail.eventSource} ${detail.eventName}`;
  if (detail.errorCode)
    return { id: message.id, status: 'ignored', reason: `${name} failed with ${detail.errorCode}: nothing changed` };
  const member = detail.recipientAccountId !== deps.account;
  const organization = deps.config.organization;
  // Only organisation members reach the bus (its policy): those collected are re-collected through the member role.
  const collectedMember = member && organization.enabled && accountSelected(organization, detail.recipientAccountId);
  if (member && !collectedMember) {
    if (deps.config.changeEvents.recordOtherAccounts.includes(detail.recipientAccountId))
      return { recordOnly: { message, event } };
    return {
      id: message.id,
      status: 'ignored',
      reason: `${name} is for account ${detail.recipientAccountId}, not ${deps.account} (add it to changeEvents.recordOtherAccounts to record it)`,
    };
  }
  const resolution = resolveTargets(detail, deps.homeRegion);
  if (resolution.kind === 'unmapped') return { id: message.id, status: 'ignored', reason: `${name} is not in the event map` };
  if (resolution.kind === 'irrelevant') return { id: message.id, status: 'ignored', reason: `${name}: ${resolution.reason}` };
  // Member accounts forward from every region their stack is in (also changeEvents.bucketRegions):
  // a regional collector describes only the configured regions, the schedule never others.
  const outside = resolution.targets.find((t) => !COLLECTORS[t.collector].global && !deps.config.regions.includes(t.region));
  if (outside)
    return {
      id: message.id,
      status: 'ignored',
      reason: `${name} is in ${outside.region}, where ${outside.collector} does not collect (regions: ${deps.config.regions.join(', ')})`,
    };
  return { accepted: { message, event, targets: resolution.targets } };
}

function eventTrigger(event: CloudTrailEvent): Trigger {
  const { detail } = event;
  return {
    type: 'event',
    eventId: detail.eventID,
    eventName: detail.eventName,
    eventSource: detail.eventSource,
    eventTime: detail.eventTime,
    principal: principalOf(detail),
    ...(detail.sourceIPAddress ? { sourceIp: detail.sourceIPAddress } : {}),
  };
}

/** The central credentials for the central account; the member role for a member account. */
async function clientsFor(event: CloudTrailEvent, deps: ChangePathDeps): Promise<AwsClientFactory> {
  const account = event.detail.recipientAccountId;
  if (account === deps.account) return deps.clients;
  const { organization } = deps.config;
  const member = await openMemberAccount(deps.clients, account, {
    roleName: organization.memberRoleName,
    ...(organization.externalId ? { externalId: organization.externalId } : {}),
    // The member role lives in the partition the event was recorded in (aws, aws-cn, aws-us-gov).
    partition: partitionOf(event.detail),
    sessionName: sessionNameFor('change-events'),
  });
  if (!member.ok) throw new Error(`${member.error.api} ${member.error.resource}: ${member.error.code}: ${member.error.message}`);
  return member.clients;
}

async function recollect(target: CollectionTarget, event: CloudTrailEvent, deps: ChangePathDeps): Promise<Recollection> {
  const resource = target.scope.type === 'resource' ? target.scope.resource : '*';
  const account = event.detail.recipientAccountId;
  const base = { collector: target.collector, region: target.region, resource };
  let clients = deps.clients.forRun();
  try {
    clients = (await clientsFor(event, deps)).forRun();
    const { record, stored } = await collectInto(deps.store, {
      collector: COLLECTORS[target.collector],
      account,
      region: target.region,
      scope: target.scope,
      clients,
      clock: deps.clock,
      settings: deps.config.collection,
      sleep: deps.sleep,
      ...(deps.deadline !== undefined ? { deadline: deps.deadline } : {}),
      trigger: eventTrigger(event),
    });
    return {
      ...base,
      key: stored.key,
      resources: record.resources.length,
      deleted: record.deleted,
      errors: record.errors.length,
      calls: record.calls,
    };
  } catch (err) {
    return { ...base, resources: 0, deleted: [], errors: 0, calls: clients.calls.total, failure: errorMessage(err) };
  }
}

async function storeChangeLog(
  event: CloudTrailEvent,
  deps: ChangePathDeps,
  handling: 'recollected' | 'recorded-only',
  recollections: Recollection[],
): Promise<{ ok: true; status: 'stored' | 'duplicate' } | { ok: false; reason: string }> {
  const evidence = recollections.flatMap((r) => (r.key ? [r.key] : []));
  try {
    const write = await writeChangeLog(deps.store, event, {
      recordedAt: deps.clock().toISOString(),
      handling,
      evidence,
    });
    return { ok: true, status: write.status };
  } catch (err) {
    return { ok: false, reason: `storing the change event failed: ${errorMessage(err)}` };
  }
}

function logOutcome(logger: PathLogger, outcome: MessageOutcome): void {
  const { status, id, ...fields } = outcome;
  const write = status === 'rejected' || status === 'failed' ? logger.error : logger.info;
  write.call(logger, `change event ${status}`, { messageId: id, ...fields });
}
