import { BACKUP_CHECKS } from './backup';
import { BEDROCK_CHECKS } from './bedrock';
import { CLOUDTRAIL_CHECKS } from './cloudtrail';
import { ECR_CHECKS } from './ecr';
import { EVIDENCE_CHECKS } from './evidence';
import { GUARDDUTY_CHECKS } from './guardduty';
import { IAM_CHECKS } from './iam';
import { INSPECTOR_CHECKS } from './inspector';
import { KMS_CHECKS } from './kms';
import { MACIE_CHECKS } from './macie';
import { S3_CHECKS } from './s3';
import { SAGEMAKER_CHECKS } from './sagemaker';
import { SECURITYHUB_CHECKS } from './securityhub';
import type { Check } from './types';

/** Every check, in one list; the catalog names checks by these ids. */
export const ALL_CHECKS: Check[] = [
  ...S3_CHECKS,
  ...IAM_CHECKS,
  ...KMS_CHECKS,
  ...CLOUDTRAIL_CHECKS,
  ...SAGEMAKER_CHECKS,
  ...BEDROCK_CHECKS,
  ...ECR_CHECKS,
  ...MACIE_CHECKS,
  ...GUARDDUTY_CHECKS,
  ...INSPECTOR_CHECKS,
  ...BACKUP_CHECKS,
  ...SECURITYHUB_CHECKS,
  ...EVIDENCE_CHECKS,
];
