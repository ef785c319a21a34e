/**
 * The synthetic year behind bench:period and the period replay test: the reference account
 * (one region; the bench-report estate of about 1,000 resources) with a full snapshot of every
 * collector four times a day, `eventsPerDay` change events (each a change-log entry and the
 * single-resource re-collection it caused, with CloudTrail event shapes from
 * test/fixtures/events), and key-rotation drifts planted at known times.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CHANGE_LOG_SCHEMA, type ChangeLogEntry, changeLogKey } from '../lambdas/events/change-log';
import type { CloudTrailEvent } from '../lambdas/events/cloudtrail-event';
import { writeEvidence } from '../lambdas/evidence/evidence-io';
import { type EvidenceRecord, type EvidenceResource, GLOBAL_REGION, type Trigger } from '../lambdas/evidence/record';
import type { EvidenceStore } from '../lambdas/evidence/store';
import { BENCH_ACCOUNT, syntheticEvidence } from './bench-report-evidence';

const DAY_MS = 86_400_000;
const REGION = 'us-east-1';
const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'events');
export const BENCH_PRINCIPAL = `arn:aws:sts::${BENCH_ACCOUNT}:assumed-role/PlatformAdmin/jane.doe`;

/** A rotation drift the bench plants and expects to find: disabled at `from`, re-enabled at `to`. */
export interface PlantedDrift {
  keyArn: string;
  from: string;
  to: string;
  disableEventId: string;
}

export interface YearOptions {
  /** First day (YYYY-MM-DD) and number of days. */
  start: string;
  days: number;
  eventsPerDay: number;
  /** Resources of the estate (bench-report generator). */
  resources: number;
  /** Days (from start) on which a drift is planted: rotation disabled at 10:07:13, re-enabled two days later at 15:33:41. */
  driftDays: number[];
  /** Days without any full kms snapshot: a collection gap longer than the freshness window. */
  kmsGapDays: number[];
}

export interface WrittenYear {
  drifts: PlantedDrift[];
  records: number;
  changeEvents: number;
}

/** Event shapes the re-collections follow, one per collector. */
const EVENT_SHAPES = {
  s3: 'PutBucketTagging',
  iam: 'UpdateUser',
  kms: 'PutKeyPolicy',
  sagemaker: 'UpdateEndpoint',
} as const;
type EventCollector = keyof typeof EVENT_SHAPES;

function fixture(name: string): CloudTrailEvent {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as CloudTrailEvent;
}

let sequence = 0;
const nextId = (prefix: string) => {
  sequence += 1;
  return `${prefix}-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
};

/** Writes the year into `store`; returns the drifts planted. Deterministic for the same options. */
export async function writeSyntheticYear(store: EvidenceStore, options: YearOptions): Promise<WrittenYear> {
  sequence = 0;
  const start = Date.parse(`${options.start}T00:00:00Z`);
  const templates = syntheticEvidence(options.resources, new Date(start))
    .map((s) => s.record)
    .filter((r) => r.region === REGION || r.region === GLOBAL_REGION);
  // The estate as it stands, per collector: full snapshots write it, planted drifts change it.
  const estate = new Map(templates.map((r) => [r.collector.name, r.resources.map((x) => structuredClone(x))]));
  const kmsKeys = estate.get('kms')!.filter((k) => k.configuration.rotationEnabled === true);
  const shapes = Object.fromEntries(Object.entries(EVENT_SHAPES).map(([c, name]) => [c, fixture(name)])) as Record<
    EventCollector,
    CloudTrailEvent
  >;
  const disableShape = fixture('DisableKeyRotation');
  const enableShape = fixture('EnableKeyRotation');
  const drifts: PlantedDrift[] = options.driftDays.map((day, i) => {
    const key = kmsKeys[i % kmsKeys.length]!;
    return {
      keyArn: key.arn,
      from: new Date(start + day * DAY_MS + (10 * 3600 + 7 * 60 + 13) * 1000).toISOString(),
      to: new Date(start + (day + 2) * DAY_MS + (15 * 3600 + 33 * 60 + 41) * 1000).toISOString(),
      disableEventId: '',
    };
  });
  let records = 0;
  let changeEvents = 0;

  const record = (
    template: EvidenceRecord,
    at: number,
    trigger: Trigger,
    resources: EvidenceResource[],
    scope: EvidenceRecord['scope'],
  ) => ({
    ...template,
    id: nextId('7e5f0000'),
    collectedAt: new Date(at).toISOString(),
    trigger,
    scope,
    resources,
  });
  const change = async (collector: EventCollector, resource: EvidenceResource, at: number, shape: CloudTrailEvent) => {
    const event = structuredClone(shape);
    const eventTime = new Date(at - 20_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    event.id = nextId('ebe00000');
    event.time = eventTime;
    event.account = BENCH_ACCOUNT;
    event.region = REGION;
    Object.assign(event.detail, {
      eventID: nextId('c7e00000'),
      eventTime,
      awsRegion: REGION,
      recipientAccountId: BENCH_ACCOUNT,
      userIdentity: { ...event.detail.userIdentity, arn: BENCH_PRINCIPAL, accountId: BENCH_ACCOUNT },
    });
    const template = templates.find((t) => t.collector.name === collector)!;
    const trigger: Trigger = {
      type: 'event',
      eventId: event.detail.eventID,
      eventName: event.detail.eventName,
      eventSource: event.detail.eventSource,
      eventTime,
      principal: BENCH_PRINCIPAL,
    };
    const stored = await writeEvidence(
      store,
      record(template, at, trigger, [resource], { type: 'resource', resource: resource.arn }),
    );
    const entry: ChangeLogEntry = {
      schema: CHANGE_LOG_SCHEMA,
      recordedAt: new Date(at).toISOString(),
      handling: 'recollected',
      evidence: [stored.key],
      event,
    };
    await store.put(changeLogKey(event, new Date(at)), new Uint8Array(gzipSync(JSON.stringify(entry))), {
      contentType: 'application/json',
    });
    records += 1;
    changeEvents += 1;
    return event.detail.eventID;
  };

  const targets: EventCollector[] = ['s3', 'iam', 'kms', 'sagemaker'];
  for (let day = 0; day < options.days; day += 1) {
    const dayStart = start + day * DAY_MS;
    const moments: { at: number; run: () => Promise<void> }[] = [];
    for (const hour of [0, 6, 12, 18]) {
      for (const template of templates) {
        if (template.collector.name === 'kms' && options.kmsGapDays.includes(day)) continue;
        const at = dayStart + hour * 3_600_000 + 60_000 * (1 + templates.indexOf(template));
        moments.push({
          at,
          run: async () => {
            await writeEvidence(
              store,
              record(template, at, { type: 'schedule' }, estate.get(template.collector.name)!, { type: 'all' }),
            );
            records += 1;
          },
        });
      }
    }
    for (let i = 0; i < options.eventsPerDay; i += 1) {
      const collector = targets[i % targets.length]!;
      const resources = estate.get(collector)!;
      const at = dayStart + Math.floor(((i + 0.5) * DAY_MS) / options.eventsPerDay) + 7_000;
      moments.push({
        at,
        run: async () => {
          await change(collector, resources[(day * 7 + i) % resources.length]!, at, shapes[collector]);
        },
      });
    }
    for (const drift of drifts) {
      for (const [edge, enabled] of [
        [drift.from, false],
        [drift.to, true],
      ] as const) {
        const at = Date.parse(edge) + 20_000;
        if (at < dayStart || at >= dayStart + DAY_MS) continue;
        moments.push({
          at,
          run: async () => {
            const key = estate.get('kms')!.find((k) => k.arn === drift.keyArn)!;
            key.configuration = { ...key.configuration, rotationEnabled: enabled };
            const id = await change('kms', structuredClone(key), at, enabled ? enableShape : disableShape);
            if (!enabled) drift.disableEventId = id;
          },
        });
      }
    }
    moments.sort((a, b) => a.at - b.at);
    for (const moment of moments) await moment.run();
  }
  return { drifts, records, changeEvents };
}
