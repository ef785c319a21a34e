import {
  GUARDDUTY_DETECTOR_TYPE,
  type GuardDutyDetectorConfiguration,
  guardDutyDetectorConfigurationSchema,
} from '../evidence/resources/guardduty';
import { parseConfiguration, schemaMismatch } from './framework';
import { fail, missing, pass } from './helpers';
import { defineRegionalServiceCheck, type RegionalVerdict, resourcesOfType } from './regional-service';
import type { Check, Snapshot, SnapshotResource } from './types';

function judgeDetector(resource: SnapshotResource, snapshot: Snapshot): RegionalVerdict {
  const parsed = parseConfiguration(guardDutyDetectorConfigurationSchema, resource);
  if (!parsed.success) {
    const undescribed = (resource.configuration as Partial<GuardDutyDetectorConfiguration>).status === undefined;
    return {
      resource,
      ...(undescribed
        ? missing(snapshot, resource.arn, 'detector', 'guardduty:GetDetector')
        : schemaMismatch(resource, parsed.error)),
    };
  }
  const detector = parsed.data;
  if (detector.status !== 'ENABLED') return { resource, ...fail(`detector ${detector.detectorId} Status ${detector.status}`) };
  if (detector.s3DataEvents === undefined)
    return { resource, ...fail(`detector ${detector.detectorId} answered no S3_DATA_EVENTS feature and no S3Logs data source`) };
  const where = detector.s3DataEventsSource === 'DataSources' ? 'DataSources.S3Logs' : 'feature S3_DATA_EVENTS';
  return detector.s3DataEvents === 'ENABLED'
    ? { resource, ...pass(`detector ${detector.detectorId} ENABLED, ${where} ENABLED`) }
    : { resource, ...fail(`detector ${detector.detectorId} ENABLED but ${where} ${detector.s3DataEvents}`) };
}

const s3Protection = defineRegionalServiceCheck({
  id: 'guardduty.s3_protection',
  collector: 'guardduty',
  passCondition: 'a GuardDuty detector is ENABLED in the region with S3 data events protection (S3_DATA_EVENTS) on',
  remediation:
    'Enable GuardDuty in the region (CreateDetector) and turn on S3 Protection (UpdateDetector with the S3_DATA_EVENTS feature ENABLED).',
  judge: (snapshot) => {
    const detectors = resourcesOfType(snapshot, GUARDDUTY_DETECTOR_TYPE);
    if (detectors.length === 0) return fail(`GuardDuty is off in ${snapshot.region}: ListDetectors returned no detector`);
    // An account has at most one detector per region; judge each should AWS ever answer more.
    const verdicts = detectors.map((detector) => judgeDetector(detector, snapshot));
    return verdicts.find((v) => v.status === 'PASS') ?? verdicts.find((v) => v.status === 'ERROR') ?? verdicts[0]!;
  },
});

export const GUARDDUTY_CHECKS: Check[] = [s3Protection];
