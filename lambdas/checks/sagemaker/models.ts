import {
  modelPackageSchema,
  modelSchema,
  SM_MODEL_PACKAGE_TYPE,
  SM_MODEL_TYPE,
  type SmModel,
} from '../../evidence/resources/sagemaker';
import { fail, pass } from '../helpers';
import type { Check } from '../types';
import { expectValue, type Judge, missingVia, noSecretsVerdict, RECREATE, SECRETS_REMEDIATION, sageMakerCheck } from './common';
import { ENDPOINT_LIST, MODEL_LIST, modelName, producingJob, sageMakerIndex } from './lookups';

const modelCheck = (id: string, passCondition: string, remediation: string, judge: Judge<SmModel>) =>
  sageMakerCheck({
    id,
    passCondition,
    remediation,
    type: SM_MODEL_TYPE,
    schema: modelSchema,
    what: 'models',
    listApis: MODEL_LIST,
    judge,
  });

const judgeLineage: Judge<SmModel> = (model, resource, snapshot) => {
  const fromPackage = model.containers.find((c) => c.modelPackageName);
  if (fromPackage) return pass(`container ModelPackageName is ${fromPackage.modelPackageName}`);
  const artifacts = model.containers.map((c) => c.modelDataUrl).filter((u): u is string => !!u);
  for (const artifact of artifacts) {
    const job = producingJob(snapshot, artifact);
    if (job) return pass(`ModelDataUrl ${artifact} is output of training job ${job}`);
  }
  const trainingFailed = snapshot.errors.find(
    (e) => e.api === 'sagemaker:ListTrainingJobs' || e.api === 'sagemaker:DescribeTrainingJob',
  );
  if (trainingFailed) return missingVia(snapshot, resource.arn, 'training jobs for lineage', [trainingFailed.api]);
  return fail(
    artifacts.length === 0
      ? 'no ModelDataUrl and no ModelPackageName: the artifact cannot be traced'
      : `ModelDataUrl ${artifacts.join(', ')} is not the output of any training job in the look-back window, and no ModelPackageName is set`,
  );
};

export const MODEL_CHECKS: Check[] = [
  modelCheck(
    'sm.model.network_isolation',
    'model EnableNetworkIsolation true',
    `Create the model with EnableNetworkIsolation true. ${RECREATE}`,
    (model) => expectValue('EnableNetworkIsolation', model.enableNetworkIsolation, true),
  ),
  modelCheck(
    'sm.model.in_vpc',
    'model VpcConfig with subnets set',
    `Create the model with a VpcConfig naming subnets and security groups. ${RECREATE}`,
    (model) =>
      model.vpcConfig && model.vpcConfig.subnets.length > 0
        ? pass(`VpcConfig.Subnets is ${model.vpcConfig.subnets.join(', ')}`)
        : fail(model.vpcConfig ? 'VpcConfig.Subnets is empty' : 'VpcConfig is not set'),
  ),
  modelCheck(
    'sm.model.private_registry',
    'every model container image comes from a private registry (RepositoryAccessMode not Platform)',
    `Serve container images from a private registry in the VPC (ImageConfig.RepositoryAccessMode Vpc). ${RECREATE}`,
    (model) => {
      if (model.containers.length === 0) return fail('the model has no containers to judge');
      // An unset ImageConfig means Platform, the API default.
      const platform = model.containers.filter((c) => (c.repositoryAccessMode ?? 'Platform') === 'Platform');
      return platform.length === 0
        ? pass(`ImageConfig.RepositoryAccessMode is ${model.containers.map((c) => c.repositoryAccessMode).join(', ')}`)
        : fail(
            `ImageConfig.RepositoryAccessMode is Platform${platform.some((c) => !c.repositoryAccessMode) ? ' (default)' : ''} for ${platform.map((c) => c.image ?? 'a container without its own image').join(', ')}`,
          );
    },
  ),
  modelCheck(
    'sm.model.no_secrets',
    'no model container environment entry holds a credential (a credential pattern, or a non-empty literal under a key naming a secret)',
    SECRETS_REMEDIATION,
    (model) => noSecretsVerdict(model.flaggedEntries, 'container environment'),
  ),
  sageMakerCheck({
    id: 'sm.model.lineage',
    passCondition: 'model behind an InService endpoint: its artifact traces to a training job or a model package',
    remediation:
      'Deploy models registered in the Model Registry, or produced by a SageMaker training job whose output path holds the artifact.',
    type: SM_MODEL_TYPE,
    schema: modelSchema,
    what: 'models behind InService endpoints',
    listApis: [...MODEL_LIST, ...ENDPOINT_LIST],
    select: (_model, resource, snapshot) => sageMakerIndex(snapshot).deployedModelNames.has(modelName(resource)),
    judge: judgeLineage,
  }),
];

export const MODEL_PACKAGE_CHECKS: Check[] = [
  sageMakerCheck({
    id: 'sm.model_package.metrics',
    passCondition: 'Approved model package: model metrics attached',
    remediation:
      'Attach ModelMetrics (model quality, data quality, bias or explainability reports) when registering the version.',
    type: SM_MODEL_PACKAGE_TYPE,
    schema: modelPackageSchema,
    what: 'Approved model packages',
    listApis: ['sagemaker:ListModelPackageGroups'],
    select: (modelPackage) => modelPackage.approvalStatus === 'Approved',
    judge: (modelPackage) =>
      modelPackage.metrics.length > 0
        ? pass(`ModelMetrics has ${modelPackage.metrics.join(', ')}`)
        : fail('ModelMetrics is not set on the Approved model package'),
  }),
];
