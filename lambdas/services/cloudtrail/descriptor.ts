import { CLOUDTRAIL_TRAIL_TYPE, cloudTrailTrailConfigurationSchema } from '../../evidence/resources/cloudtrail';
import { at, type ServiceDescriptor, serviceEvents } from '../types';

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';
const createdTrail = [[at('responseElements.trailARN', 'cloudTrailTrail'), at('requestParameters.name', 'cloudTrailTrail')]];
const namedTrail = [[at('requestParameters.name', 'cloudTrailTrail'), at('requestParameters.trailName', 'cloudTrailTrail')]];
/** Organization and shadow trails live in other accounts and in regions we may not collect: their status is read at the trail's home. */
const ANY_ACCOUNT_TRAIL = 'arn:{partition}:cloudtrail:*:*:trail/*';

/** CloudTrail: the trails each region sees (its own, shadow copies of multi-region and organization trails). */
export const cloudTrailService = {
  name: 'cloudtrail',
  global: false,
  resourceKinds: [
    {
      type: CLOUDTRAIL_TRAIL_TYPE,
      arnForm: 'arn:{partition}:cloudtrail:{region}:{account}:trail/{id}',
      schema: cloudTrailTrailConfigurationSchema,
      describeApi: 'DescribeTrails',
    },
  ],
  readGrants: [
    { actions: ['cloudtrail:DescribeTrails'], resources: '*' },
    { actions: ['cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'], resources: [ANY_ACCOUNT_TRAIL] },
  ],
  // DescribeTrails answers every trail in one response: nothing to page.
  pageSizes: {},
  resourceForms: {
    cloudTrailTrail: (name, { partition, account, region }) =>
      name.startsWith('arn:') ? name : `arn:${partition}:cloudtrail:${region}:${account}:trail/${name}`,
  },
  events: [
    ...serviceEvents(CLOUDTRAIL, ['CreateTrail'], createdTrail),
    ...serviceEvents(CLOUDTRAIL, ['DeleteTrail', 'UpdateTrail', 'StartLogging', 'StopLogging', 'PutEventSelectors'], namedTrail),
  ],
} satisfies ServiceDescriptor;
