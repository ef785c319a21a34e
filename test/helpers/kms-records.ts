import type { EvidenceRecord, Trigger } from '../../lambdas/evidence/record';
import { KMS_KEY_TYPE, type KmsKeyConfiguration } from '../../lambdas/evidence/resources/kms';

export const KMS_RECORD_ACCOUNT = '123456789012';
export const KMS_RECORD_KEY_ARN = `arn:aws:kms:us-east-1:${KMS_RECORD_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

let sequence = 0;

/** A KMS collection of one customer managed key, as the collector writes it. */
export function kmsKeyRecord(options: {
  collectedAt: string;
  rotationEnabled?: boolean;
  rotationPeriodInDays?: number;
  trigger?: Trigger;
}): EvidenceRecord {
  sequence += 1;
  const configuration: KmsKeyConfiguration = {
    keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    keyManager: 'CUSTOMER',
    keyState: 'Enabled',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    multiRegion: false,
    aliases: [],
    rotationApplicable: true,
    rotationEnabled: options.rotationEnabled ?? true,
    rotationPeriodInDays: options.rotationPeriodInDays ?? 365,
  };
  return {
    schema: 'evidence/v1',
    id: `kms-record-${sequence}`,
    collector: { name: 'kms', version: '1.0.0' },
    account: KMS_RECORD_ACCOUNT,
    region: 'us-east-1',
    collectedAt: options.collectedAt,
    trigger: options.trigger ?? { type: 'schedule' },
    scope: { type: 'all' },
    resources: [{ arn: KMS_RECORD_KEY_ARN, type: KMS_KEY_TYPE, region: 'us-east-1', configuration, tags: {} }],
    errors: [],
    notes: [],
    deleted: [],
    calls: 4,
  };
}
