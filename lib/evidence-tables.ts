import { CHANGE_LOG_PREFIX, EVIDENCE_ROOT } from '../lambdas/evidence/layout';

/**
 * The Glue tables over the evidence store, as data: the construct (evidence-catalog.ts) turns them
 * into CfnTables, the named queries (population-queries.ts) are checked against them in tests.
 *
 * Both tables read gzip JSON with the Hive JSON SerDe, which AWS recommends over the OpenX SerDe
 * because the latter's results "can be non-deterministic"
 * (https://docs.aws.amazon.com/athena/latest/ug/openx-json-serde.html). The Hive SerDe matches
 * JSON keys to columns case-insensitively and ignores keys no column names, so column names are
 * the lowercased JSON keys and free-form objects (resource configuration, most request
 * parameters) are left out rather than typed wrongly: a value of another type than its column
 * fails the whole query, and a query that fails is better than one that guesses.
 */

export interface TableColumn {
  name: string;
  /** Hive type string as Glue stores it, such as `array<struct<arn:string,type:string>>`. */
  type: string;
  comment: string;
}

/** What a partition key projects: a fixed list, a value every query must name, or a date range. */
export type PartitionProjection =
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'injected' }
  | { kind: 'date'; lookbackDays: number };

export interface PartitionKey {
  name: string;
  comment: string;
  /** The key segment's name in the object key (`account=` in `.../account=A/...`). */
  keySegment: string;
}

export interface EvidenceTable {
  name: string;
  description: string;
  /** Key prefix of every object the table reads. */
  prefix: string;
  columns: readonly TableColumn[];
  /** In the order the segments appear in the key, all of type string. */
  partitionKeys: readonly PartitionKey[];
}

/** The Glue database of the deployed app. Glue names are lowercase with underscores. */
export const EVIDENCE_DATABASE = 'soc2_ml_evidence';

const ARRAY_OF_STRINGS = 'array<string>';

/** Collection records: evidence/v1/collector=C/account=A/region=R/date=YYYY-MM-DD/<time>Z-<id>.json.gz */
export const EVIDENCE_RECORDS_TABLE: EvidenceTable = {
  name: 'evidence_records',
  description: 'soc2-ml-evidence collection records (evidence/v1): one row per snapshot or single-resource re-collection',
  prefix: EVIDENCE_ROOT,
  columns: [
    { name: 'schema', type: 'string', comment: 'Always evidence/v1' },
    { name: 'id', type: 'string', comment: 'Record id (also the end of the object key)' },
    { name: 'collectedat', type: 'string', comment: 'ISO 8601 UTC time of the collection (from_iso8601_timestamp)' },
    {
      name: 'trigger',
      type: 'struct<type:string,user:string,eventid:string,eventname:string,eventsource:string,eventtime:string,principal:string,sourceip:string>',
      comment: 'schedule, cli, or the CloudTrail event that caused a re-collection',
    },
    { name: 'scope', type: 'struct<type:string,resource:string>', comment: 'all (a full snapshot) or one resource' },
    {
      name: 'resources',
      type: 'array<struct<arn:string,type:string,region:string,tags:map<string,string>>>',
      comment: 'Resources observed; their configuration is free-form per type and is read by soc2-ml period, not here',
    },
    {
      name: 'errors',
      type: 'array<struct<api:string,resource:string,code:string,message:string>>',
      comment: 'Calls that failed: a record with errors is not a complete snapshot',
    },
    { name: 'notes', type: 'array<struct<resource:string,message:string>>', comment: 'Facts that are not errors' },
    { name: 'deleted', type: ARRAY_OF_STRINGS, comment: 'ARNs a resource-scoped collection found gone' },
    { name: 'calls', type: 'int', comment: 'AWS calls the collection made' },
  ],
  partitionKeys: [
    { name: 'collector', keySegment: 'collector', comment: 'Collector name (s3, iam, kms, sagemaker, cloudtrail)' },
    { name: 'account', keySegment: 'account', comment: 'Account the record describes' },
    { name: 'region', keySegment: 'region', comment: 'Region, or "global" for account-wide collectors' },
    { name: 'collected_date', keySegment: 'date', comment: 'UTC date of the collection, YYYY-MM-DD' },
  ],
};

/** CloudTrail identity fields kept for populations; the rest of userIdentity stays in the object. */
const USER_IDENTITY = 'struct<type:string,principalid:string,arn:string,accountid:string,username:string,invokedby:string>';
/**
 * The request and response fields the population queries read. CreateUser, CreateAccessKey and
 * CreateLoginProfile name the user in requestParameters.userName; CreateAccessKey answers with
 * responseElements.accessKey.accessKeyId; SageMaker CreateEndpoint and UpdateEndpoint send
 * endpointName and endpointConfigName, CreateEndpointConfig endpointConfigName, and they answer
 * with endpointArn and endpointConfigArn
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html,
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpoint.html).
 */
const REQUEST_PARAMETERS = 'struct<username:string,endpointname:string,endpointconfigname:string>';
const RESPONSE_ELEMENTS =
  'struct<accesskey:struct<accesskeyid:string,status:string>,endpointarn:string,endpointconfigarn:string>';
const CLOUDTRAIL_DETAIL =
  `struct<eventversion:string,useridentity:${USER_IDENTITY},eventtime:string,eventsource:string,eventname:string,` +
  `awsregion:string,sourceipaddress:string,useragent:string,requestparameters:${REQUEST_PARAMETERS},` +
  `responseelements:${RESPONSE_ELEMENTS},errorcode:string,errormessage:string,eventid:string,recipientaccountid:string>`;

/** The change log: evidence/v1/changes/account=A/region=R/date=YYYY-MM-DD/<time>Z-<eventID>.json.gz, filed by recording date. */
export const CHANGE_EVENTS_TABLE: EvidenceTable = {
  name: 'change_events',
  description: 'soc2-ml-evidence change log (soc2-ml-change-event/v1): one row per CloudTrail change event recorded',
  prefix: CHANGE_LOG_PREFIX,
  columns: [
    { name: 'schema', type: 'string', comment: 'Always soc2-ml-change-event/v1' },
    { name: 'recordedat', type: 'string', comment: 'ISO 8601 UTC time the event was recorded (the partition date)' },
    { name: 'handling', type: 'string', comment: 'recollected, or recorded-only for accounts the app cannot describe' },
    { name: 'evidence', type: ARRAY_OF_STRINGS, comment: 'Keys of the evidence records the re-collection wrote' },
    {
      name: 'event',
      type: `struct<id:string,source:string,account:string,time:string,region:string,detail:${CLOUDTRAIL_DETAIL}>`,
      comment: 'The EventBridge event as received (redacted); detail is the CloudTrail record',
    },
  ],
  partitionKeys: [
    { name: 'account', keySegment: 'account', comment: 'recipientAccountId of the event' },
    { name: 'region', keySegment: 'region', comment: 'awsRegion of the event (us-east-1 for global services)' },
    { name: 'recorded_date', keySegment: 'date', comment: 'UTC date the event was recorded, YYYY-MM-DD' },
  ],
};

export const EVIDENCE_TABLES = [EVIDENCE_RECORDS_TABLE, CHANGE_EVENTS_TABLE] as const;

/** `${name}` as partition projection writes it; kept out of template literals on purpose. */
export const projectionPlaceholder = (name: string): string => `$\{${name}}`;

/** The object-key template under the bucket: `evidence/v1/collector=${collector}/.../date=${collected_date}/`. */
export function keyTemplate(table: EvidenceTable): string {
  return table.prefix + table.partitionKeys.map((key) => `${key.keySegment}=${projectionPlaceholder(key.name)}/`).join('');
}

/** Date partitions hold UTC dates as the keys write them. */
export const PARTITION_DATE_FORMAT = 'yyyy-MM-dd';

/**
 * Partition projection table properties
 * (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html):
 * Athena computes the partitions from these instead of reading them from Glue, so no crawler and
 * no partition writes are needed. A date range relative to NOW keeps moving with the clock.
 */
export function projectionParameters(
  table: EvidenceTable,
  projections: Record<string, PartitionProjection>,
  bucketName: string,
): Record<string, string> {
  const parameters: Record<string, string> = {
    'projection.enabled': 'true',
    'storage.location.template': `s3://${bucketName}/${keyTemplate(table)}`,
  };
  for (const key of table.partitionKeys) {
    const projection = projections[key.name];
    if (!projection) throw new Error(`no projection given for partition key ${table.name}.${key.name}`);
    const prefix = `projection.${key.name}`;
    switch (projection.kind) {
      case 'enum':
        parameters[`${prefix}.type`] = 'enum';
        parameters[`${prefix}.values`] = projection.values.join(',');
        break;
      case 'injected':
        parameters[`${prefix}.type`] = 'injected';
        break;
      case 'date':
        parameters[`${prefix}.type`] = 'date';
        parameters[`${prefix}.range`] = `NOW-${projection.lookbackDays}DAYS,NOW`;
        parameters[`${prefix}.format`] = PARTITION_DATE_FORMAT;
        parameters[`${prefix}.interval`] = '1';
        parameters[`${prefix}.interval.unit`] = 'DAYS';
        break;
    }
  }
  return parameters;
}
