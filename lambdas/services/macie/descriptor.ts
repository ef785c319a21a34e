import { MACIE_SESSION_TYPE, macieSessionConfigurationSchema } from '../../evidence/resources/macie';
import { type ServiceDescriptor, serviceEvents } from '../types';

/** Amazon Macie: status, automated discovery and classification jobs of each region (configuration only, never findings). */
export const macieService = {
  name: 'macie',
  global: false,
  resourceKinds: [
    {
      type: MACIE_SESSION_TYPE,
      // Macie has no ARN for its session: the account root, one per region.
      arnForm: 'arn:{partition}:iam::{account}:root',
      schema: macieSessionConfigurationSchema,
      describeApi: 'GetMacieSession, GetAutomatedDiscoveryConfiguration, GetClassificationScope, DescribeClassificationJob',
    },
  ],
  // No GetFindings, GetSensitiveDataOccurrences or other call that reads findings or their samples.
  readGrants: [
    {
      actions: [
        'macie2:GetMacieSession',
        'macie2:GetAutomatedDiscoveryConfiguration',
        'macie2:GetClassificationScope',
        'macie2:ListClassificationJobs',
      ],
      resources: '*',
    },
    {
      actions: ['macie2:DescribeClassificationJob'],
      resources: ['arn:{partition}:macie2:{region}:{account}:classification-job/*'],
    },
  ],
  // ListClassificationJobs accepts at most 200 per page (Macie API reference, Jobs).
  pageSizes: { jobs: 200 },
  resourceForms: {},
  events: serviceEvents(
    'macie2.amazonaws.com',
    [
      'EnableMacie',
      'DisableMacie',
      'UpdateMacieSession',
      'UpdateAutomatedDiscoveryConfiguration',
      'UpdateClassificationScope',
      'CreateClassificationJob',
      'UpdateClassificationJob',
    ],
    [],
    { otherwise: 'collect-all' },
  ),
} satisfies ServiceDescriptor;
