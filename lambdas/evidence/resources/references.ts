import { z } from 'zod';

/**
 * What a resource reads or writes, recorded by collectors under `configuration.references`
 * so the evaluator can tell ML buckets and in-use keys and trace lineage without knowing
 * each service's shapes.
 */
export const resourceReferencesSchema = z.object({
  /** s3://bucket/prefix URIs the resource reads or writes. */
  s3Uris: z.array(z.string()),
  /** KMS key ids, ARNs or aliases the resource encrypts with. */
  kmsKeys: z.array(z.string()),
  /** ARNs of other collected resources it depends on (lineage: training job -> model -> endpoint config -> endpoint). */
  resources: z.array(z.string()),
  /** Container image URIs the resource runs (ECR repositories holding them count as ML repositories); absent where the kind runs none. */
  images: z.array(z.string()).optional(),
});
export type ResourceReferences = z.infer<typeof resourceReferencesSchema>;

export function referencesOf(configuration: Record<string, unknown>): ResourceReferences | undefined {
  const parsed = resourceReferencesSchema.safeParse(configuration.references);
  return parsed.success ? parsed.data : undefined;
}
