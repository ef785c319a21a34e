import { GetDetectorCommand, type GetDetectorResponse, paginateListDetectors } from '@aws-sdk/client-guardduty';
import type { EvidenceResource } from '../evidence/record';
import { GUARDDUTY_DETECTOR_TYPE, type GuardDutyDetectorConfiguration } from '../evidence/resources/guardduty';
import { guardDutyService } from '../services/guardduty/descriptor';
import { CollectionLog } from './collection-log';
import { collectListing } from './pages';
import type { Collector, CollectorContext, CollectorOutput } from './types';

export const guardDutyCollector: Collector = {
  name: 'guardduty',
  version: '1.0.0',
  global: guardDutyService.global,
  collect: collectGuardDuty,
};

/**
 * The region's detectors with their S3 protection. GuardDuty is on in a region exactly when the
 * account has a detector there ("each account can have only one detector per Region",
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html): an empty
 * ListDetectors (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_ListDetectors.html)
 * is the fact that it is off, so the record holds no detector and no error.
 */
export async function collectGuardDuty(context: CollectorContext): Promise<CollectorOutput> {
  const log = new CollectionLog(context.deadline);
  const guardDuty = context.clients.guardDuty(context.region);
  const { items: detectorIds } = await collectListing(
    log,
    'guardduty:ListDetectors',
    () => paginateListDetectors({ client: guardDuty, pageSize: guardDutyService.pageSizes.detectors }, {}),
    (page) => page.DetectorIds,
  );
  const resources: EvidenceResource[] = [];
  for (const detectorId of detectorIds) {
    const arn = `arn:aws:guardduty:${context.region}:${context.account}:detector/${detectorId}`;
    if (!log.mayDescribe(arn)) continue;
    const detector = await log.call('guardduty:GetDetector', arn, () =>
      guardDuty.send(new GetDetectorCommand({ DetectorId: detectorId })),
    );
    const configuration: Partial<GuardDutyDetectorConfiguration> =
      detector.status === 'ok' ? detectorConfiguration(detectorId, detector.value) : { detectorId };
    resources.push({
      arn,
      type: GUARDDUTY_DETECTOR_TYPE,
      region: context.region,
      configuration,
      tags: detector.status === 'ok' ? (detector.value.Tags ?? {}) : {},
    });
  }
  context.progress?.(`guardduty ${context.region}: ${resources.length} detectors`);
  return { resources, ...log.output() };
}

/** S3 protection: the S3_DATA_EVENTS feature, or DataSources.S3Logs from answers that predate features. */
function detectorConfiguration(detectorId: string, detector: GetDetectorResponse): GuardDutyDetectorConfiguration {
  const feature = detector.Features?.find((f) => f.Name === 'S3_DATA_EVENTS');
  const legacy = detector.DataSources?.S3Logs?.Status;
  return {
    detectorId,
    status: detector.Status ?? 'UNKNOWN',
    ...(feature?.Status
      ? { s3DataEvents: feature.Status, s3DataEventsSource: 'Features' as const }
      : legacy
        ? { s3DataEvents: legacy, s3DataEventsSource: 'DataSources' as const }
        : {}),
  };
}
