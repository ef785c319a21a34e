import { domainSchema, SM_DOMAIN_TYPE } from '../../evidence/resources/sagemaker';
import type { Check } from '../types';
import { expectValue, isSet, RECREATE, sageMakerCheck } from './common';

const DOMAIN_LIST = ['sagemaker:ListDomains'];
export const DOMAIN_CHECKS: Check[] = [
  sageMakerCheck({
    id: 'sm.domain.kms',
    passCondition: 'Studio domain KmsKeyId set',
    remediation: `Encrypt the domain's EFS volume with a customer managed KMS key (KmsKeyId). ${RECREATE}`,
    type: SM_DOMAIN_TYPE,
    schema: domainSchema,
    what: 'Studio domains',
    listApis: DOMAIN_LIST,
    judge: (domain) => isSet('KmsKeyId', domain.kmsKeyId),
  }),
  sageMakerCheck({
    id: 'sm.domain.vpc_only',
    passCondition: 'Studio domain AppNetworkAccessType VpcOnly',
    remediation:
      'Update the domain to AppNetworkAccessType VpcOnly (all apps must be deleted first) with VPC endpoints for SageMaker.',
    type: SM_DOMAIN_TYPE,
    schema: domainSchema,
    what: 'Studio domains',
    listApis: DOMAIN_LIST,
    judge: (domain) => expectValue('AppNetworkAccessType', domain.appNetworkAccessType, 'VpcOnly'),
  }),
];
