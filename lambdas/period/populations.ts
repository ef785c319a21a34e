import { stringify } from 'csv-stringify/sync';
import type { RecordedChange } from './change-events';
import type { KeyedTimeline } from './replay';
import { COMPLIANT_STATUSES, type PopulationSample } from './types';

/** A population an auditor samples from: every row cites the evidence object (key and SHA-256) it rests on. */
export interface Population {
  name: string;
  description: string;
  columns: string[];
  /** Each row starts with its id; the last two columns are evidence_key and evidence_sha256. */
  rows: string[][];
}

/**
 * Identity and credential creations: IAM users, access keys and console passwords. The same
 * lists drive the Athena named queries (lib/population-queries.ts), so both give one population.
 */
export const CREDENTIAL_EVENT_NAMES = ['CreateUser', 'CreateAccessKey', 'CreateLoginProfile'] as const;
/** SageMaker endpoints and endpoint configurations created or updated: a model version going live. */
export const DEPLOYMENT_EVENT_NAMES = ['CreateEndpoint', 'UpdateEndpoint', 'CreateEndpointConfig'] as const;
const CREDENTIAL_EVENTS: ReadonlySet<string> = new Set(CREDENTIAL_EVENT_NAMES);
const DEPLOYMENT_EVENTS: ReadonlySet<string> = new Set(DEPLOYMENT_EVENT_NAMES);
/** A call that failed (CloudTrail errorCode) created nothing. */
const succeeded = (change: RecordedChange) => change.errorCode === '';

const EVIDENCE_COLUMNS = ['evidence_key', 'evidence_sha256'];

function changeRow(change: RecordedChange, extra: string[] = []): string[] {
  return [
    change.eventId,
    change.eventTime,
    change.eventName,
    change.eventSource,
    change.principal,
    change.account,
    change.region,
    ...extra,
    change.evidence.key,
    change.evidence.sha256,
  ];
}
const CHANGE_COLUMNS = ['event_id', 'event_time', 'event_name', 'event_source', 'principal', 'account', 'region'];

export function buildPopulations(changes: RecordedChange[], resources: KeyedTimeline[]): Population[] {
  const drift = resources
    .flatMap((timeline) =>
      timeline.intervals
        .filter((i) => !COMPLIANT_STATUSES.has(i.status) && i.status !== 'ABSENT')
        .map((i) => ({ timeline, interval: i })),
    )
    .sort((a, b) => a.interval.from - b.interval.from);
  return [
    {
      name: 'change-events',
      description: 'Every CloudTrail change recorded in the change log with an event time inside the window',
      columns: [...CHANGE_COLUMNS, 'handling', 'error_code', ...EVIDENCE_COLUMNS],
      rows: changes.map((c) => changeRow(c, [c.handling, c.errorCode])),
    },
    {
      name: 'drift-intervals',
      description: 'Every interval in which a check on a resource was not PASS (FAIL, ERROR, EXCEPTED, NOT_OBSERVED)',
      columns: [
        'interval_id',
        'check',
        'resource',
        'account',
        'region',
        'status',
        'from',
        'to',
        'event_name',
        'event_id',
        'principal',
        ...EVIDENCE_COLUMNS,
      ],
      rows: drift.map(({ timeline, interval }) => {
        const from = new Date(interval.from).toISOString();
        return [
          `${timeline.check}|${timeline.resource}|${timeline.region}|${from}`,
          timeline.check,
          timeline.resource,
          timeline.account,
          timeline.region,
          interval.status,
          from,
          new Date(interval.to).toISOString(),
          interval.cause?.eventName ?? '',
          interval.cause?.eventId ?? '',
          interval.cause?.principal ?? '',
          interval.evidence[0]?.key ?? '',
          interval.evidence[0]?.sha256 ?? '',
        ];
      }),
    },
    {
      name: 'new-credentials',
      description: `IAM users, access keys and console passwords created in the window (successful ${CREDENTIAL_EVENT_NAMES.join(', ')})`,
      columns: [...CHANGE_COLUMNS, 'user', ...EVIDENCE_COLUMNS],
      rows: changes.filter((c) => succeeded(c) && CREDENTIAL_EVENTS.has(c.eventName)).map((c) => changeRow(c, [c.user])),
    },
    {
      name: 'model-deployments',
      description: `SageMaker endpoints and endpoint configurations created or updated in the window (successful ${DEPLOYMENT_EVENT_NAMES.join(', ')})`,
      columns: [...CHANGE_COLUMNS, 'endpoint', 'endpoint_config', ...EVIDENCE_COLUMNS],
      rows: changes
        .filter((c) => succeeded(c) && DEPLOYMENT_EVENTS.has(c.eventName))
        .map((c) => changeRow(c, [c.endpoint, c.endpointConfig])),
    },
  ];
}

/** populations/<name>.csv; escape_formulas keeps a resource name such as "=HYPERLINK(...)" inert in a spreadsheet. */
export function renderPopulationCsv(population: Population): string {
  return stringify(population.rows, { header: true, columns: population.columns, escape_formulas: true });
}

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator, public domain): one uint32 of state, so anyone
 * can re-draw a sample from the seed with a few lines in any language. Returns floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The sample: the population's row ids sorted, then the first `size` positions of a
 * Fisher-Yates shuffle driven by mulberry32(seed) (position i swaps with i + floor(r * (n - i))).
 * Same population, size and seed: same rows, in the same order.
 */
export function drawSample(ids: readonly string[], size: number, seed: number): PopulationSample {
  const pool = [...ids].sort();
  const random = mulberry32(seed);
  const take = Math.min(size, pool.length);
  for (let i = 0; i < take; i += 1) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return { size: take, seed, rows: pool.slice(0, take) };
}
