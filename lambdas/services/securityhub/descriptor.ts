import { SECURITYHUB_HUB_TYPE, securityHubHubConfigurationSchema } from '../../evidence/resources/securityhub';
import { type ServiceDescriptor, serviceEvents } from '../types';

/** Security Hub: the hub of each region and its enabled standards. */
export const securityHubService = {
  name: 'securityhub',
  global: false,
  resourceKinds: [
    {
      type: SECURITYHUB_HUB_TYPE,
      arnForm: 'arn:{partition}:securityhub:{region}:{account}:hub/default',
      schema: securityHubHubConfigurationSchema,
      describeApi: 'DescribeHub, then GetEnabledStandards',
    },
  ],
  // Both act on the account's hub.
  readGrants: [
    {
      actions: ['securityhub:DescribeHub', 'securityhub:GetEnabledStandards'],
      resources: ['arn:{partition}:securityhub:{region}:{account}:hub/default'],
    },
  ],
  // GetEnabledStandards accepts at most 100 per page (Security Hub API reference).
  pageSizes: { standards: 100 },
  resourceForms: {},
  events: serviceEvents(
    'securityhub.amazonaws.com',
    ['EnableSecurityHub', 'DisableSecurityHub', 'BatchEnableStandards', 'BatchDisableStandards'],
    [],
    { otherwise: 'collect-all' },
  ),
} satisfies ServiceDescriptor;
