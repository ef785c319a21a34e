import type { z } from 'zod';
import {
  notebookInstanceSchema,
  notebookLifecycleConfigSchema,
  SM_NOTEBOOK_INSTANCE_TYPE,
  SM_NOTEBOOK_LIFECYCLE_CONFIG_TYPE,
} from '../../evidence/resources/sagemaker';
import { globToRegExp } from '../glob';
import { fail, pass, type Verdict } from '../helpers';
import type { Check } from '../types';
import { expectValue, isSet, type Judge, RECREATE, sageMakerCheck } from './common';

const NOTEBOOK_LIST = ['sagemaker:ListNotebookInstances'];
const notebookCheck = (
  id: string,
  passCondition: string,
  remediation: string,
  judge: Judge<z.infer<typeof notebookInstanceSchema>>,
) =>
  sageMakerCheck({
    id,
    passCondition,
    remediation,
    type: SM_NOTEBOOK_INSTANCE_TYPE,
    schema: notebookInstanceSchema,
    what: 'notebook instances',
    listApis: NOTEBOOK_LIST,
    judge,
  });

function platformSupported(platform: string | null, supported: readonly string[]): Verdict {
  if (!platform) return fail('PlatformIdentifier is not set');
  return supported.some((glob) => globToRegExp(glob).test(platform))
    ? pass(`PlatformIdentifier is ${platform}`)
    : fail(`PlatformIdentifier is ${platform}, not one of the supported platforms ${supported.join(', ')}`);
}

export const NOTEBOOK_CHECKS: Check[] = [
  notebookCheck(
    'sm.notebook.kms',
    'notebook instance KmsKeyId set',
    `Encrypt the notebook's storage volume with a customer managed KMS key (KmsKeyId). ${RECREATE}`,
    (nb) => isSet('KmsKeyId', nb.kmsKeyId),
  ),
  notebookCheck(
    'sm.notebook.no_direct_internet',
    'notebook instance DirectInternetAccess Disabled',
    `Set DirectInternetAccess to Disabled and reach the internet through the VPC. ${RECREATE}`,
    (nb) => expectValue('DirectInternetAccess', nb.directInternetAccess, 'Disabled'),
  ),
  notebookCheck(
    'sm.notebook.in_vpc',
    'notebook instance SubnetId set',
    `Launch the notebook instance in a VPC subnet (SubnetId). ${RECREATE}`,
    (nb) => isSet('SubnetId', nb.subnetId),
  ),
  notebookCheck(
    'sm.notebook.root_disabled',
    'notebook instance RootAccess Disabled',
    'Stop the notebook instance, update it with RootAccess Disabled, and start it again.',
    (nb) => expectValue('RootAccess', nb.rootAccess, 'Disabled'),
  ),
  notebookCheck(
    'sm.notebook.platform_current',
    'notebook instance PlatformIdentifier is a supported platform (configurable, default notebook-al2023-*)',
    'Move the notebook to a supported platform: stop it and update PlatformIdentifier, or recreate it on a current platform.',
    (nb, _r, _s, context) => platformSupported(nb.platformIdentifier, context.config.notebookPlatforms),
  ),
  sageMakerCheck({
    id: 'sm.notebook.lifecycle_no_secrets',
    passCondition: 'notebook lifecycle configuration OnCreate/OnStart scripts contain nothing that looks like a credential',
    remediation:
      'Remove the credential from the lifecycle script, rotate it, and read secrets at run time from Secrets Manager or the instance role.',
    type: SM_NOTEBOOK_LIFECYCLE_CONFIG_TYPE,
    schema: notebookLifecycleConfigSchema,
    what: 'notebook lifecycle configurations',
    listApis: ['sagemaker:ListNotebookInstanceLifecycleConfigs'],
    judge: (config) => {
      const flagged = config.scripts.filter((script) => script.credentialPatterns.length > 0);
      if (flagged.length === 0) return pass(`${config.scripts.length} OnCreate/OnStart script(s), no credential pattern found`);
      return fail(
        flagged
          .map((script) => `${script.hook} script matches credential pattern(s) ${script.credentialPatterns.join(', ')}`)
          .join('; '),
      );
    },
  }),
];
