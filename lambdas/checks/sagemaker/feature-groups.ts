import { featureGroupSchema, SM_FEATURE_GROUP_TYPE } from '../../evidence/resources/sagemaker';
import type { Check } from '../types';
import { isSet, RECREATE, sageMakerCheck } from './common';

const FEATURE_GROUP_LIST = ['sagemaker:ListFeatureGroups'];

export const FEATURE_GROUP_CHECKS: Check[] = [
  sageMakerCheck({
    id: 'sm.feature_group.offline_kms',
    passCondition: 'feature group with an offline store: offline store KMS key set',
    remediation: `Set OfflineStoreConfig.S3StorageConfig.KmsKeyId. ${RECREATE}`,
    type: SM_FEATURE_GROUP_TYPE,
    schema: featureGroupSchema,
    what: 'feature groups with an offline store',
    listApis: FEATURE_GROUP_LIST,
    select: (group) => group.offlineStore !== null,
    judge: (group) => isSet('OfflineStoreConfig.S3StorageConfig.KmsKeyId', group.offlineStore?.kmsKeyId),
  }),
  sageMakerCheck({
    id: 'sm.feature_group.online_kms',
    passCondition: 'feature group with an online store: online store KMS key set',
    remediation: `Set OnlineStoreConfig.SecurityConfig.KmsKeyId. ${RECREATE}`,
    type: SM_FEATURE_GROUP_TYPE,
    schema: featureGroupSchema,
    what: 'feature groups with an online store',
    listApis: FEATURE_GROUP_LIST,
    select: (group) => group.onlineStore?.enabled === true,
    judge: (group) => isSet('OnlineStoreConfig.SecurityConfig.KmsKeyId', group.onlineStore?.kmsKeyId),
  }),
];
