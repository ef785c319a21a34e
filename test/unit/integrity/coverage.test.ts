import { sealPeriods } from '../../../lambdas/integrity/digest';
import { coverageLine, verifyStore } from '../../../lambdas/integrity/verify';
import { ACCOUNT_A, ACCOUNT_B, putEvidence, type TempStore, tempStore } from './fixtures';

const NOW = new Date('2026-11-27T12:00:00Z');

describe('verify coverage: what no digest covers yet', () => {
  let t: TempStore;
  beforeEach(async () => {
    t = await tempStore();
  });
  afterEach(() => t.cleanup());

  it('a store with nothing sealed is not a clean OK: 0 objects checked, the objects waiting and when the next seal is due', async () => {
    // Prepare: today's evidence only, as right after the first collect.
    const keys = [
      await putEvidence(t.store, ACCOUNT_A, '2026-11-27T06:00:00.000Z'),
      await putEvidence(t.store, ACCOUNT_B, '2026-11-27T07:00:00.000Z'),
    ];

    // Act
    const result = await verifyStore(t.store, { now: NOW });

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.summary.unsealed).toEqual({ objects: 2, keys: keys.sort(), nextSealDue: '2026-11-28T01:00:00.000Z' });
    const line = coverageLine(result);
    expect(line).not.toMatch(/^OK/);
    expect(line).toMatch(
      /^NOTHING SEALED YET: 0 digests, 0 objects, 0 bytes checked in \d+\.\d s; 2 evidence objects not yet covered by any digest \(period still open\), next seal due 2026-11-28T01:00:00\.000Z$/,
    );
  });

  it('states digests, objects and bytes checked beside the objects still waiting', async () => {
    // Prepare
    await putEvidence(t.store, ACCOUNT_A, '2026-11-26T06:00:00.000Z', 'sealed');
    const waiting = await putEvidence(t.store, ACCOUNT_A, '2026-11-27T06:00:00.000Z');
    await sealPeriods(t.store, await t.signer(), { now: NOW });

    // Act
    const result = await verifyStore(t.store, { now: NOW });

    // Assess
    expect(result.summary.unsealed.keys).toEqual([waiting]);
    expect(coverageLine(result)).toMatch(
      /^OK: 1 digests, 1 objects, \d+ bytes checked in \d+\.\d s; 1 evidence objects not yet covered by any digest \(period still open\), next seal due 2026-11-28T01:00:00\.000Z$/,
    );
  });

  it('an empty store says nothing is sealed and nothing waits', async () => {
    const line = coverageLine(await verifyStore(t.store, { now: NOW }));
    expect(line).toMatch(
      /^NOTHING SEALED YET: 0 digests, 0 objects, 0 bytes checked in .*; no evidence object is waiting for a seal$/,
    );
  });
});
