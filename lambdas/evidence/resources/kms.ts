import { z } from 'zod';

/**
 * Normalised KMS key configuration. A field is absent when its call failed (see the record's
 * errors) or was not made (the reason is in `skipped`), never silently.
 */
export const KMS_KEY_TYPE = 'AWS::KMS::Key';

export const kmsKeyConfigurationSchema = z.object({
  keyId: z.string(),
  description: z.string().optional(),
  keyManager: z.string(),
  keyState: z.string(),
  keySpec: z.string(),
  keyUsage: z.string(),
  origin: z.string(),
  customKeyStoreId: z.string().optional(),
  multiRegion: z.boolean(),
  creationDate: z.string().optional(),
  deletionDate: z.string().optional(),
  /** Alias names (alias/...); absent when ListAliases failed. */
  aliases: z.array(z.string()).optional(),
  /** False for AWS managed, asymmetric, HMAC, imported or custom-key-store keys. */
  rotationApplicable: z.boolean(),
  rotationNotApplicableReason: z.string().optional(),
  rotationEnabled: z.boolean().optional(),
  /** null: rotation status answered without a period. */
  rotationPeriodInDays: z.number().nullable().optional(),
  /** The "default" key policy, parsed; absent for AWS managed keys or when GetKeyPolicy failed. */
  keyPolicy: z.unknown().optional(),
  /** Calls deliberately not made, with why (AWS managed keys). */
  skipped: z.array(z.string()).optional(),
});
export type KmsKeyConfiguration = z.infer<typeof kmsKeyConfigurationSchema>;

export interface KmsKeyMetadataFacts {
  keyManager?: string;
  keySpec?: string;
  keyUsage?: string;
  origin?: string;
  customKeyStoreId?: string;
}

/** Why automatic rotation cannot apply to a key, or undefined when it can. */
export function rotationNotApplicableReason(key: KmsKeyMetadataFacts): string | undefined {
  if (key.keyManager === 'AWS') return 'AWS managed key: AWS rotates it every year';
  if (key.keySpec !== undefined && key.keySpec !== 'SYMMETRIC_DEFAULT') return `KeySpec ${key.keySpec} is not SYMMETRIC_DEFAULT`;
  if (key.keyUsage === 'GENERATE_VERIFY_MAC') return 'HMAC key';
  if (key.origin === 'EXTERNAL') return 'imported key material (Origin EXTERNAL)';
  if (key.customKeyStoreId || (key.origin !== undefined && key.origin !== 'AWS_KMS'))
    return `custom key store (Origin ${key.origin})`;
  return undefined;
}
