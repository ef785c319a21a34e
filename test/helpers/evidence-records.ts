import type { EvidenceRecord, Trigger } from '../../lambdas/evidence/record';
import { KMS_KEY_TYPE } from '../../lambdas/evidence/resources/kms';

export const RECORD_ACCOUNT = '123456789012';
export const KEY_ARN = `arn:aws:kms:us-east-1:${RECORD_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

let sequence = 0;
/** A full KMS snapshot with one customer managed key whose rotation is as given (by default a scheduled collection, 365 days). */
export function kmsRecord(
  collectedAt: string,
  rotationEnabled: boolean,
  options: { rotationPeriodInDays?: number; trigger?: Trigger } = {},
): EvidenceRecord {
  sequence += 1;
  return {
    schema: 'evidence/v1',
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    collector: { name: 'kms', version: '1' },
    account: RECORD_ACCOUNT,
    region: 'us-east-1',
    collectedAt,
    trigger: options.trigger ?? { type: 'schedule' },
    scope: { type: 'all' },
    resources: [
      {
        arn: KEY_ARN,
        type: KMS_KEY_TYPE,
        region: 'us-east-1',
        configuration: {
          keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
          keyManager: 'CUSTOMER',
          keyState: 'Enabled',
          keySpec: 'SYMMETRIC_DEFAULT',
          keyUsage: 'ENCRYPT_DECRYPT',
          origin: 'AWS_KMS',
          multiRegion: false,
          rotationApplicable: true,
          rotationEnabled,
          rotationPeriodInDays: options.rotationPeriodInDays ?? 365,
        },
        tags: {},
      },
    ],
    errors: [],
    notes: [],
    deleted: [],
    calls: 4,
  };
}
