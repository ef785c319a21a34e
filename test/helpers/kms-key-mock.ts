import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  type KMSClientResolvedConfig,
  ListAliasesCommand,
  ListResourceTagsCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-kms';
import type { AwsStub } from 'aws-sdk-client-mock';

export const MOCK_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

export function mockKeyArn(account: string): string {
  return `arn:aws:kms:us-east-1:${account}:key/${MOCK_KEY_ID}`;
}

/** Answers every KMS describe call for one customer managed symmetric key with rotation off. */
export function mockCustomerKeyWithoutRotation(
  kms: AwsStub<ServiceInputTypes, ServiceOutputTypes, KMSClientResolvedConfig>,
  account: string,
): void {
  kms.on(DescribeKeyCommand).resolves({
    KeyMetadata: {
      KeyId: MOCK_KEY_ID,
      Arn: mockKeyArn(account),
      KeyManager: 'CUSTOMER',
      KeyState: 'Enabled',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Origin: 'AWS_KMS',
    },
  });
  kms.on(ListAliasesCommand).resolves({ Aliases: [] });
  kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: false });
  kms.on(GetKeyPolicyCommand).resolves({ Policy: '{"Version":"2012-10-17","Statement":[]}' });
  kms.on(ListResourceTagsCommand).resolves({ Tags: [] });
}
