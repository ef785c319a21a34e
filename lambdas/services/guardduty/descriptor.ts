import { GUARDDUTY_DETECTOR_TYPE, guardDutyDetectorConfigurationSchema } from '../../evidence/resources/guardduty';
import { type ServiceDescriptor, serviceEvents } from '../types';

/** GuardDuty: the detector of each region and its S3 protection; a change re-collects the region. */
export const guardDutyService = {
  name: 'guardduty',
  global: false,
  resourceKinds: [
    {
      type: GUARDDUTY_DETECTOR_TYPE,
      arnForm: 'arn:{partition}:guardduty:{region}:{account}:detector/{id}',
      schema: guardDutyDetectorConfigurationSchema,
      describeApi: 'GetDetector',
    },
  ],
  readGrants: [
    { actions: ['guardduty:ListDetectors'], resources: '*' },
    { actions: ['guardduty:GetDetector'], resources: ['arn:{partition}:guardduty:{region}:{account}:detector/*'] },
  ],
  // ListDetectors accepts at most 50 per page (GuardDuty API reference, ListDetectors).
  pageSizes: { detectors: 50 },
  resourceForms: {},
  // Turning GuardDuty or its S3 protection off (or on): the region's one detector is re-collected.
  events: serviceEvents('guardduty.amazonaws.com', ['CreateDetector', 'UpdateDetector', 'DeleteDetector'], [], {
    otherwise: 'collect-all',
  }),
} satisfies ServiceDescriptor;
