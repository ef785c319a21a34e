import { KMS_KEY_TYPE, kmsKeyConfigurationSchema } from '../../evidence/resources/kms';
import { at, type ServiceDescriptor, serviceEvents } from '../types';

const KMS = 'kms.amazonaws.com';
const kmsKey = [
  [
    at('requestParameters.keyId', 'kmsKey'),
    at('responseElements.keyMetadata.arn', 'kmsKey'),
    at('resources[type=AWS::KMS::Key].ARN', 'kmsKey'),
  ],
];

/** KMS: the customer managed keys of each region. */
export const kmsService = {
  name: 'kms',
  global: false,
  resourceKinds: [
    {
      type: KMS_KEY_TYPE,
      arnForm: 'arn:{partition}:kms:{region}:{account}:key/{id}',
      schema: kmsKeyConfigurationSchema,
      describeApi: 'DescribeKey',
    },
  ],
  readGrants: [
    { actions: ['kms:ListKeys', 'kms:ListAliases'], resources: '*' },
    {
      actions: ['kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:GetKeyPolicy', 'kms:ListResourceTags'],
      resources: ['arn:{partition}:kms:{region}:{account}:key/*'],
    },
  ],
  // ListResourceTags is capped at 50 by the service although its model allows 1000.
  pageSizes: { listings: 1000, resourceTags: 50 },
  resourceForms: {
    kmsKey: (id, { partition, account, region }) => {
      if (id.startsWith('arn:')) return id;
      if (id.startsWith('alias/')) return `arn:${partition}:kms:${region}:${account}:${id}`;
      return `arn:${partition}:kms:${region}:${account}:key/${id}`;
    },
  },
  events: serviceEvents(
    KMS,
    [
      'CreateKey',
      'EnableKeyRotation',
      'DisableKeyRotation',
      'ScheduleKeyDeletion',
      'CancelKeyDeletion',
      'EnableKey',
      'DisableKey',
      'PutKeyPolicy',
    ],
    kmsKey,
  ),
} satisfies ServiceDescriptor;
