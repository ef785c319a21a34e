import type { z } from 'zod';
import {
  processingJobSchema,
  SM_PROCESSING_JOB_TYPE,
  SM_TRAINING_JOB_TYPE,
  trainingJobSchema,
} from '../../evidence/resources/sagemaker';
import { fail, pass } from '../helpers';
import type { Check } from '../types';
import { expectValue, isSet, type Judge, noSecretsVerdict, RECREATE, SECRETS_REMEDIATION, sageMakerCheck } from './common';

const TRAINING_LIST = ['sagemaker:ListTrainingJobs'];
const trainingCheck = (
  id: string,
  passCondition: string,
  remediation: string,
  judge: Judge<z.infer<typeof trainingJobSchema>>,
  select?: { what: string; test: (job: z.infer<typeof trainingJobSchema>) => boolean },
) =>
  sageMakerCheck({
    id,
    passCondition,
    remediation,
    type: SM_TRAINING_JOB_TYPE,
    schema: trainingJobSchema,
    what: select?.what ?? 'training jobs in the look-back window',
    listApis: TRAINING_LIST,
    judge,
    ...(select ? { select: select.test } : {}),
  });

const multiInstance = (job: { instanceCount: number }) => job.instanceCount > 1;

export const JOB_CHECKS: Check[] = [
  trainingCheck(
    'sm.training.no_secrets',
    'no training job hyper-parameter or environment entry holds a credential (a credential pattern, or a non-empty literal under a key naming a secret)',
    SECRETS_REMEDIATION,
    (job) => noSecretsVerdict(job.flaggedEntries, 'hyper-parameter or environment'),
  ),
  trainingCheck(
    'sm.training.volume_kms',
    'training job ResourceConfig.VolumeKmsKeyId set',
    `Set ResourceConfig.VolumeKmsKeyId in the training job definition (pipeline or SDK estimator). ${RECREATE}`,
    (job) => isSet('ResourceConfig.VolumeKmsKeyId', job.volumeKmsKeyId),
  ),
  trainingCheck(
    'sm.training.output_kms',
    'training job OutputDataConfig.KmsKeyId set',
    `Set OutputDataConfig.KmsKeyId in the training job definition. ${RECREATE}`,
    (job) => isSet('OutputDataConfig.KmsKeyId', job.outputKmsKeyId),
  ),
  trainingCheck(
    'sm.training.inter_container_encryption',
    'training job with more than one instance: EnableInterContainerTrafficEncryption true',
    `Set EnableInterContainerTrafficEncryption on distributed training jobs. ${RECREATE}`,
    (job) =>
      job.enableInterContainerTrafficEncryption
        ? pass(`EnableInterContainerTrafficEncryption is true (${job.instanceCount} instances)`)
        : fail(`EnableInterContainerTrafficEncryption is false with ${job.instanceCount} instances`),
    { what: 'multi-instance training jobs in the look-back window', test: multiInstance },
  ),
  trainingCheck(
    'sm.training.network_isolation',
    'training job EnableNetworkIsolation true',
    `Set EnableNetworkIsolation on training jobs. ${RECREATE}`,
    (job) => expectValue('EnableNetworkIsolation', job.enableNetworkIsolation, true),
  ),
  trainingCheck(
    'sm.training.vpc',
    'training job VpcConfig set',
    `Run training jobs in a VPC (VpcConfig with subnets and security groups). ${RECREATE}`,
    (job) =>
      job.vpcConfig ? pass(`VpcConfig is set (subnets ${job.vpcConfig.subnets.join(', ')})`) : fail('VpcConfig is not set'),
  ),
  sageMakerCheck({
    id: 'sm.processing.kms',
    passCondition: 'processing job volume and output KMS keys set',
    remediation: `Set ClusterConfig.VolumeKmsKeyId and ProcessingOutputConfig.KmsKeyId on processing jobs. ${RECREATE}`,
    type: SM_PROCESSING_JOB_TYPE,
    schema: processingJobSchema,
    what: 'processing jobs in the look-back window',
    listApis: ['sagemaker:ListProcessingJobs'],
    judge: (job) => {
      const unset = [
        ...(job.volumeKmsKeyId ? [] : ['ClusterConfig.VolumeKmsKeyId']),
        ...(job.outputKmsKeyId ? [] : ['ProcessingOutputConfig.KmsKeyId']),
      ];
      return unset.length === 0
        ? pass(`ClusterConfig.VolumeKmsKeyId is ${job.volumeKmsKeyId}, ProcessingOutputConfig.KmsKeyId is ${job.outputKmsKeyId}`)
        : fail(`${unset.join(' and ')} not set`);
    },
  }),
  sageMakerCheck({
    id: 'sm.processing.inter_container_encryption',
    passCondition: 'processing job with more than one instance: inter-container encryption on',
    remediation: `Set NetworkConfig.EnableInterContainerTrafficEncryption on distributed processing jobs. ${RECREATE}`,
    type: SM_PROCESSING_JOB_TYPE,
    schema: processingJobSchema,
    what: 'multi-instance processing jobs in the look-back window',
    listApis: ['sagemaker:ListProcessingJobs'],
    select: multiInstance,
    judge: (job) =>
      job.enableInterContainerTrafficEncryption
        ? pass(`NetworkConfig.EnableInterContainerTrafficEncryption is true (${job.instanceCount} instances)`)
        : fail(`NetworkConfig.EnableInterContainerTrafficEncryption is false with ${job.instanceCount} instances`),
  }),
];
