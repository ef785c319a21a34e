import { ECR_REPOSITORY_TYPE, ecrRepositorySchema } from '../../evidence/resources/ecr';
import type { ServiceDescriptor } from '../types';

const REPOSITORIES = 'arn:{partition}:ecr:{region}:{account}:repository/*';

/**
 * Amazon ECR: every repository of the region with its scanning, tag mutability, encryption and
 * tags, and the registry's scanning rules. Which repositories hold ML images is decided by the
 * checks from the image URIs SageMaker and Bedrock evidence records.
 */
export const ecrService = {
  name: 'ecr',
  global: false,
  resourceKinds: [
    {
      type: ECR_REPOSITORY_TYPE,
      arnForm: 'arn:{partition}:ecr:{region}:{account}:repository/{id}',
      schema: ecrRepositorySchema,
      describeApi: 'DescribeRepositories',
    },
  ],
  readGrants: [
    { actions: ['ecr:GetRegistryScanningConfiguration'], resources: '*' },
    { actions: ['ecr:DescribeRepositories', 'ecr:ListTagsForResource'], resources: [REPOSITORIES] },
  ],
  // DescribeRepositories takes maxResults 1-1000.
  pageSizes: { repositories: 1000 },
  resourceForms: {},
  events: [],
} satisfies ServiceDescriptor;
