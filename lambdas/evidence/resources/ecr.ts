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
const ECR_IMAGE_URI = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([^@]+))?(?:@(.+))?$/;

/** The repository an image URI points at, or undefined when it is not an ECR image. */
export function repositoryOfImage(uri: string): { account: string; region: string; repository: string } | undefined {
  const image = parseImageUri(uri);
  return image ? { account: image.account, region: image.region, repository: image.repository } : undefined;
}

/**
 * An ECR image URI taken apart: a digest names the image itself, otherwise the tag does
 * (`latest` when the URI names neither, as docker pull does).
 */
export function parseImageUri(
  uri: string,
): { account: string; region: string; repository: string; imageId: { imageDigest: string } | { imageTag: string } } | undefined {
  const match = ECR_IMAGE_URI.exec(uri);
  if (!match) return undefined;
  const [, account, region, repository, tag, digest] = match as unknown as [string, string, string, string, string?, string?];
  return { account, region, repository, imageId: digest ? { imageDigest: digest } : { imageTag: tag ?? 'latest' } };
}

/** One ECR image that ML resources run, keyed in evidence by the image URI they record. */
export const ECR_IMAGE_TYPE = 'AWS::ECR::Image';

/** Normalised DescribeImages ImageDetail (API reference: DescribeImages, ImageDetail, ImageScanStatus, ImageScanFindingsSummary). */
export const ecrImageSchema = z.object({
  repository: z.string(),
  /** The tag or digest the URI names. */
  tag: z.string().nullable(),
  digest: z.string().nullable(),
  /** imageScanStatus.status (COMPLETE, ACTIVE, IN_PROGRESS, FAILED, ...); null when the image was never scanned. */
  scanStatus: z.string().nullable(),
  scanStatusDescription: z.string().nullable(),
  /** imageScanFindingsSummary.findingSeverityCounts of the latest scan, by severity (CRITICAL, HIGH, ...). */
  severityCounts: z.record(z.string(), z.number()),
  /** imageScanFindingsSummary.imageScanCompletedAt, ISO 8601. */
  scanCompletedAt: z.string().nullable(),
});
export type EcrImage = z.infer<typeof ecrImageSchema>;
