import type { CollectorName } from '../evidence/record';
import { backupCollector } from './backup';
import { bedrockCollector } from './bedrock';
import { cloudTrailCollector } from './cloudtrail';
import { ecrCollector } from './ecr';
import { guardDutyCollector } from './guardduty';
import { iamCollector } from './iam';
import { inspectorCollector } from './inspector';
import { kmsCollector } from './kms';
import { macieCollector } from './macie';
import { s3Collector } from './s3';
import { sageMakerCollector } from './sagemaker';
import { securityHubCollector } from './securityhub';
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
  guardduty: guardDutyCollector,
  securityhub: securityHubCollector,
  inspector: inspectorCollector,
  backup: backupCollector,
  macie: macieCollector,
};

export function availableCollectors(): CollectorName[] {
  return Object.keys(COLLECTORS) as CollectorName[];
}
