import { REDELIVERY_WINDOW_DAYS } from '../lambdas/events/change-log';
import { CREDENTIAL_EVENT_NAMES, DEPLOYMENT_EVENT_NAMES } from '../lambdas/period/populations';
import { CHANGE_EVENTS_TABLE, EVIDENCE_RECORDS_TABLE } from './evidence-tables';

/**
 * The populations an auditor samples, as Athena named queries. Each takes the window as
 * prepared-statement parameters (`?`, passed in order with `--execution-parameters`, strings in
 * single quotes: https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html).
 * Every row cites the object it came from ("$path"); the object's SHA-256 is in the signed digest
 * chain (`soc2-ml verify`), which Athena does not read.
 */
export interface PopulationQuery {
  /** Named query name, as `aws athena list-named-queries` shows it. */
  name: string;
  description: string;
  /** The `?` parameters in order: each is a YYYY-MM-DD date, `from` and `to` inclusive. */
  parameters: readonly ('from' | 'to')[];
  /** Tables the query reads (checked against its FROM clause in tests). */
  tables: readonly string[];
  sql: string;
}

/**
 * The change log is filed by recording date, which can trail the event by up to the
 * redelivery window of the change queue (change-log.ts): the partitions read run that much past
 * the window, and the event's own time decides membership.
 */
const CHANGE_EVENTS_IN_WINDOW = `recorded_date >= ?
  AND recorded_date <= date_format(date_add('day', ${REDELIVERY_WINDOW_DAYS}, date(?)), '%Y-%m-%d')
  AND event.detail.eventtime >= ?
  AND event.detail.eventtime < date_format(date_add('day', 1, date(?)), '%Y-%m-%d')`;
const CHANGE_WINDOW_PARAMETERS = ['from', 'to', 'from', 'to'] as const;

/** The principal as the change path names it (principalOf): ARN, else principal id, else identity type. */
const PRINCIPAL = `COALESCE(event.detail.useridentity.arn, event.detail.useridentity.principalid, event.detail.useridentity.type)`;

const EVENT_COLUMNS = `event.detail.eventtime AS event_time,
  event.detail.eventname AS event_name,
  ${PRINCIPAL} AS principal,
  account,
  region`;

const CITATION_COLUMNS = `event.detail.eventid AS event_id,
  "$path" AS evidence_object`;

/**
 * The change events of some API calls that succeeded (a failed call created nothing), with
 * columns of their own between the event's and the citation.
 */
function successfulCalls(spec: {
  name: string;
  description: string;
  eventSource: string;
  eventNames: readonly string[];
  columns: string;
}): PopulationQuery {
  return {
    name: spec.name,
    description: spec.description,
    parameters: CHANGE_WINDOW_PARAMETERS,
    tables: [CHANGE_EVENTS_TABLE.name],
    sql: `SELECT ${EVENT_COLUMNS},
  ${spec.columns},
  ${CITATION_COLUMNS}
FROM ${CHANGE_EVENTS_TABLE.name}
WHERE ${CHANGE_EVENTS_IN_WINDOW}
  AND event.detail.eventsource = '${spec.eventSource}'
  AND event.detail.eventname IN (${spec.eventNames.map((name) => `'${name}'`).join(', ')})
  AND event.detail.errorcode IS NULL
ORDER BY event_time, event_id`,
  };
}

export const POPULATION_QUERIES: readonly PopulationQuery[] = [
  {
    name: 'change-events',
    description: 'Population: every CloudTrail change event recorded for the window (event time from..to, UTC)',
    parameters: CHANGE_WINDOW_PARAMETERS,
    tables: [CHANGE_EVENTS_TABLE.name],
    sql: `SELECT ${EVENT_COLUMNS},
  event.detail.eventsource AS event_source,
  event.detail.sourceipaddress AS source_ip,
  event.detail.errorcode AS error_code,
  handling,
  recordedat AS recorded_at,
  ${CITATION_COLUMNS}
FROM ${CHANGE_EVENTS_TABLE.name}
WHERE ${CHANGE_EVENTS_IN_WINDOW}
ORDER BY event_time, event_id`,
  },
  successfulCalls({
    name: 'new-credentials',
    description: 'Population: IAM users, access keys and console passwords created in the window (successful calls)',
    eventSource: 'iam.amazonaws.com',
    eventNames: CREDENTIAL_EVENT_NAMES,
    columns: `COALESCE(event.detail.requestparameters.username, event.detail.useridentity.username) AS user_name,
  event.detail.responseelements.accesskey.accesskeyid AS access_key_id`,
  }),
  successfulCalls({
    name: 'model-deployments',
    description: 'Population: SageMaker endpoints and endpoint configurations created or updated in the window',
    eventSource: 'sagemaker.amazonaws.com',
    eventNames: DEPLOYMENT_EVENT_NAMES,
    columns: `event.detail.requestparameters.endpointname AS endpoint_name,
  event.detail.requestparameters.endpointconfigname AS endpoint_config_name,
  COALESCE(event.detail.responseelements.endpointarn, event.detail.responseelements.endpointconfigarn) AS resource_arn`,
  }),
  {
    // Check statuses are not stored (they are evaluated from the records), so drift intervals
    // themselves come from `soc2-ml period`; this is the population they are computed from.
    name: 'resource-observations',
    description:
      'Population behind drift intervals: every observation of every resource in the window (collected from..to, UTC), with what triggered it',
    parameters: ['from', 'to'],
    tables: [EVIDENCE_RECORDS_TABLE.name],
    sql: `SELECT resource_arn,
  resource_type,
  resource_region,
  collector,
  account,
  region,
  collectedat AS collected_at,
  scope.type AS collection_scope,
  trigger.type AS trigger_type,
  trigger.eventname AS trigger_event_name,
  trigger.principal AS trigger_principal,
  cardinality(errors) AS failed_calls,
  "$path" AS evidence_object
FROM ${EVIDENCE_RECORDS_TABLE.name}
CROSS JOIN UNNEST(resources) AS observed(resource_arn, resource_type, resource_region, resource_tags)
WHERE collected_date BETWEEN ? AND ?
ORDER BY resource_arn, collected_at`,
  },
];
