import { INSPECTOR_ACCOUNT_TYPE, inspectorAccountConfigurationSchema } from '../../evidence/resources/inspector';
import { type ServiceDescriptor, serviceEvents } from '../types';

/** Amazon Inspector: the account's scanning status per resource type in each region. */
export const inspectorService = {
  name: 'inspector',
  global: false,
  resourceKinds: [
    {
      type: INSPECTOR_ACCOUNT_TYPE,
      // Inspector has no ARN for an account's status: the account root, one per region.
      arnForm: 'arn:{partition}:iam::{account}:root',
      schema: inspectorAccountConfigurationSchema,
      describeApi: 'BatchGetAccountStatus',
    },
  ],
  // BatchGetAccountStatus supports no resource-level permissions.
  readGrants: [{ actions: ['inspector2:BatchGetAccountStatus'], resources: '*' }],
  pageSizes: {},
  resourceForms: {},
  events: serviceEvents('inspector2.amazonaws.com', ['Enable', 'Disable'], [], { otherwise: 'collect-all' }),
} satisfies ServiceDescriptor;
