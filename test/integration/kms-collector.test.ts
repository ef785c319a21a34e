import { CreateAliasCommand, CreateKeyCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import { KMS_CHECKS } from '../../lambdas/checks/kms';
import { collectKms } from '../../lambdas/collectors/kms';
import type { KmsKeyConfiguration } from '../../lambdas/evidence/resources/kms';
import { emulatorCollectorContext } from '../helpers/collector-context';
import { EMULATOR_ACCOUNT, emulatorClients, useMoto } from '../helpers/moto';
import { makeCheckContext, makeSnapshot } from '../helpers/snapshots';

const moto = useMoto();
/** The emulator loads each service on first use, which takes seconds on a busy machine. */
const EMULATOR_TEST_TIMEOUT_MS = 30_000;

describe('KMS collector against the emulator', () => {
  it(
    'names every seeded key with rotation, alias, policy and tags, and records no errors',
    async () => {
      // Prepare
      const clients = emulatorClients(moto().url);
      const kms = clients.kms('us-east-1');
      const rotated = await kms.send(
        new CreateKeyCommand({ Description: 'rotated', Tags: [{ TagKey: 'team', TagValue: 'ml' }] }),
      );
      await kms.send(new EnableKeyRotationCommand({ KeyId: rotated.KeyMetadata!.KeyId!, RotationPeriodInDays: 180 }));
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/ml-data', TargetKeyId: rotated.KeyMetadata!.KeyId! }));
      const unrotated = await kms.send(new CreateKeyCommand({ Description: 'unrotated' }));
      const signing = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));

      // Act
      const output = await collectKms(emulatorCollectorContext(clients));

      // Assess
      expect(output.errors).toEqual([]);
      const byArn = new Map(output.resources.map((r) => [r.arn, r]));
      expect([...byArn.keys()].sort()).toEqual(
        [rotated.KeyMetadata!.Arn!, unrotated.KeyMetadata!.Arn!, signing.KeyMetadata!.Arn!].sort(),
      );
      expect(byArn.get(rotated.KeyMetadata!.Arn!)).toMatchObject({
        tags: { team: 'ml' },
        configuration: {
          aliases: ['alias/ml-data'],
          rotationApplicable: true,
          rotationEnabled: true,
          // moto accepts the period but does not return it.
          rotationPeriodInDays: null,
          keyPolicy: { Statement: expect.any(Array) },
        },
      });
      expect(byArn.get(unrotated.KeyMetadata!.Arn!)?.configuration).toMatchObject({
        rotationApplicable: true,
        rotationEnabled: false,
      });
      const ecc = byArn.get(signing.KeyMetadata!.Arn!)?.configuration as KmsKeyConfiguration;
      expect(ecc).toMatchObject({ keySpec: 'ECC_NIST_P256', rotationApplicable: false });
      expect(ecc.rotationNotApplicableReason).toContain('ECC_NIST_P256');

      // The checks read this evidence as collected.
      const snapshot = makeSnapshot({ collector: 'kms', account: EMULATOR_ACCOUNT, resources: output.resources });
      const rotation = KMS_CHECKS.find((c) => c.id === 'kms.rotation_enabled')!.run(makeCheckContext([snapshot]));
      expect(Object.fromEntries(rotation.map((f) => [f.resource, f.status]))).toEqual({
        [rotated.KeyMetadata!.Arn!]: 'PASS',
        [unrotated.KeyMetadata!.Arn!]: 'FAIL',
      });
    },
    EMULATOR_TEST_TIMEOUT_MS,
  );
});
