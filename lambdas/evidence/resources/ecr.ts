import { z } from 'zod';

/**
 * Normalised ECR repository configuration (API reference: DescribeRepositories,
 * GetRegistryScanningConfiguration, ListTagsForResource). Which repositories hold ML images is
 * decided by the checks from the image URIs that SageMaker and Bedrock evidence records.
 */
export const ECR_REPOSITORY_TYPE = 'AWS::ECR::Repository';

/** The registry rule that applies to the repository: enhanced (Inspector) or basic scanning, and how often. */
export const registryScanSchema = z.object({
  scanType: z.string(),
  /** scanFrequency of the first rule whose filter matches the repository; null when none does. */
  ruleFrequency: z.string().nullable(),
});

export const ecrRepositorySchema = z.object({
  name: z.string(),
  uri: z.string().nullable(),
  /** MUTABLE, IMMUTABLE or their _WITH_EXCLUSION variants. */
  imageTagMutability: z.string().nullable(),
  /** The repository's own imageScanningConfiguration.scanOnPush. */
  scanOnPush: z.boolean(),
  /** AES256, KMS or KMS_DSSE. */
  encryptionType: z.string().nullable(),
  kmsKey: z.string().nullable(),
  /** Absent when GetRegistryScanningConfiguration failed. */
  registryScan: registryScanSchema.optional(),
});
export type EcrRepository = z.infer<typeof ecrRepositorySchema>;

/** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]`, the form SageMaker and Bedrock record. */
const ECR_IMAGE_URI = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?:[:@].*)?$/;

/** The repository an image URI points at, or undefined when it is not an ECR image. */
export function repositoryOfImage(uri: string): { account: string; region: string; repository: string } | undefined {
  const match = ECR_IMAGE_URI.exec(uri);
  return match ? { account: match[1]!, region: match[2]!, repository: match[3]! } : undefined;
}
