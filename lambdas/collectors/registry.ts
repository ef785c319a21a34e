import type { CollectorName } from '../evidence/record';
import { bedrockCollector } from './bedrock';
import { cloudTrailCollector } from './cloudtrail';
import { ecrCollector } from './ecr';
import { iamCollector } from './iam';
import { kmsCollector } from './kms';
import { s3Collector } from './s3';
import { sageMakerCollector } from './sagemaker';
import type { Collector } from './types';

/** Every collector by name; the CLI, the Lambda handler and the stack all read this table. */
export const COLLECTORS: Record<CollectorName, Collector> = {
  s3: s3Collector,
  iam: iamCollector,
  kms: kmsCollector,
  sagemaker: sageMakerCollector,
  cloudtrail: cloudTrailCollector,
  bedrock: bedrockCollector,
  ecr: ecrCollector,
};

export function availableCollectors(): CollectorName[] {
  return Object.keys(COLLECTORS) as CollectorName[];
}
