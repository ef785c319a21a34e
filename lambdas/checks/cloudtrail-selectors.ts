import type { AdvancedEventSelector, BasicEventSelector, CloudTrailTrailConfiguration } from '../evidence/resources/cloudtrail';

/** What a trail's event selectors record: management events, and S3 data events on a bucket. */

interface Access {
  read: boolean;
  write: boolean;
}

const accessOf = (readWriteType: BasicEventSelector['readWriteType']): Access => ({
  read: readWriteType !== 'WriteOnly',
  write: readWriteType !== 'ReadOnly',
});

const NONE: Access = { read: false, write: false };

/**
 * What an advanced selector's readOnly field lets through. readOnly is "true" or "false", so
 * notEquals ["true"] records writes only; any other operator (startsWith...) is not trusted to cover.
 */
const advancedAccess = (selector: AdvancedEventSelector): Access => {
  const readOnly = selector.fieldSelectors.find((f) => f.field === 'readOnly');
  if (!readOnly) return { read: true, write: true };
  const { field: _field, equals, notEquals, ...others } = readOnly;
  if (Object.values(others).some((values) => values !== undefined)) return NONE;
  const admits = (value: 'true' | 'false') =>
    (equals === undefined || equals.includes(value)) && !(notEquals ?? []).includes(value);
  return { read: admits('true'), write: admits('false') };
};

const merge = (a: Access, b: Access): Access => ({ read: a.read || b.read, write: a.write || b.write });

/** Read and write management events, from basic or advanced selectors. */
export function managementAccess(c: CloudTrailTrailConfiguration): Access {
  const selectors = c.eventSelectors ?? { basic: [], advanced: [] };
  const basic = selectors.basic.filter((s) => s.includeManagementEvents).map((s) => accessOf(s.readWriteType));
  const advanced = selectors.advanced
    .filter((s) => s.fieldSelectors.some((f) => f.field === 'eventCategory' && f.equals?.includes('Management')))
    .map(advancedAccess);
  return [...basic, ...advanced].reduce(merge, NONE);
}

const S3_OBJECT = 'AWS::S3::Object';

/** A basic data resource value naming every bucket or this whole bucket (a deeper prefix covers only part). */
const basicValueCovers = (value: string, bucket: string) =>
  value === 'arn:aws:s3' ||
  value === 'arn:aws:s3:::' ||
  value === `arn:aws:s3:::${bucket}/` ||
  value === `arn:aws:s3:::${bucket}`;

/** Fields an advanced data selector may carry and still record every object operation on the bucket. */
const NEUTRAL_FIELDS = new Set(['eventCategory', 'resources.type', 'resources.ARN', 'readOnly']);

function advancedCovers(selector: AdvancedEventSelector, bucket: string): boolean {
  const field = (name: string) => selector.fieldSelectors.find((f) => f.field === name);
  if (!field('eventCategory')?.equals?.includes('Data')) return false;
  if (!field('resources.type')?.equals?.includes(S3_OBJECT)) return false;
  // Selectors narrowed by event name, caller or the like may miss accesses: only the plain ones count.
  if (selector.fieldSelectors.some((f) => !NEUTRAL_FIELDS.has(f.field))) return false;
  const arn = field('resources.ARN');
  if (!arn) return true;
  const objects = `arn:aws:s3:::${bucket}/`;
  const onlyStartsWith = Object.keys(arn).every((k) => k === 'field' || k === 'startsWith');
  return onlyStartsWith && (arn.startsWith ?? []).some((prefix) => objects.startsWith(prefix));
}

/** Read and write S3 data events on the whole bucket that the trail's selectors record. */
export function dataEventAccess(c: CloudTrailTrailConfiguration, bucket: string): Access {
  const selectors = c.eventSelectors ?? { basic: [], advanced: [] };
  const basic = selectors.basic
    .filter((s) => s.dataResources.some((d) => d.type === S3_OBJECT && d.values.some((v) => basicValueCovers(v, bucket))))
    .map((s) => accessOf(s.readWriteType));
  const advanced = selectors.advanced.filter((s) => advancedCovers(s, bucket)).map(advancedAccess);
  return [...basic, ...advanced].reduce(merge, NONE);
}
