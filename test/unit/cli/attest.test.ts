import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import { listManualEvidence } from '../../../lambdas/integrity/attest';
import { runCliCaptured } from '../../helpers/cli';

describe('soc2-ml attest', () => {
  let dir: string;
  let store: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'soc2-attest-'));
    store = join(dir, 'evidence');
    await writeFile(join(dir, 'review.pdf'), 'signed review');
    await writeFile(join(dir, 'removals.csv'), 'user,removed\nbob,2026-11-20\n');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores several files at once with the note and the attester, uploaded by the local user', async () => {
    // Act
    const run = await runCliCaptured([
      ...['attest', 'SEC-AM-5', join(dir, 'review.pdf'), join(dir, 'removals.csv')],
      ...['--note', 'Q4 access review', '--attested-by', 'Dana (CISO)', '--expires-in', '30', '--store', store],
    ]);
    const stored = await listManualEvidence(await LocalDirectoryStore.open(store));
    // Assess
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(stored.map((entry) => entry.fileName).sort()).toEqual(['removals.csv', 'review.pdf']);
    for (const entry of stored) {
      expect(entry).toMatchObject({ itemId: 'SEC-AM-5', attestedBy: 'Dana (CISO)', note: 'Q4 access review' });
      expect(entry.uploadedBy).toMatch(/^local:.+/);
    }
    expect(run.stdout).toContain('for SEC-AM-5 by Dana (CISO) (uploaded by local:');
  });

  it('lists every manual evidence object with item, age and expiry', async () => {
    // Prepare
    await runCliCaptured(['attest', 'SEC-AM-5', join(dir, 'review.pdf'), '--expires-in', '30', '--store', store]);
    await runCliCaptured(['attest', 'DOC-4', join(dir, 'removals.csv'), '--store', store]);
    // Act
    const table = await runCliCaptured(['attest', '--list', '--store', store]);
    const json = await runCliCaptured(['--json', 'attest', '--list', 'doc-4', '--store', store]);
    // Assess
    expect(table.status).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^item\s+file\s+attested by\s+uploaded\s+age \(days\)\s+expires\s+state$/);
    const in30 = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    expect(lines.find((l) => l.startsWith('SEC-AM-5'))).toMatch(
      new RegExp(`review\\.pdf\\s+local:\\S+\\s+\\d{4}-\\d{2}-\\d{2}\\s+0\\s+${in30}\\s+fresh`),
    );
    const rows = JSON.parse(json.stdout);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ itemId: 'DOC-4', fileName: 'removals.csv', ageDays: 0, fresh: true });
  });

  it('refuses no files, a repeated file name and an empty --attested-by with exit 2', async () => {
    // Act
    const none = await runCliCaptured(['attest', 'SEC-AM-5', '--store', store]);
    const twice = await runCliCaptured([
      'attest',
      'SEC-AM-5',
      join(dir, 'review.pdf'),
      join(dir, 'review.pdf'),
      '--store',
      store,
    ]);
    const empty = await runCliCaptured(['attest', 'SEC-AM-5', join(dir, 'review.pdf'), '--attested-by', ' ', '--store', store]);
    // Assess
    expect(none).toMatchObject({ status: 2, stderr: 'soc2-ml: attest needs ITEM-ID and at least one FILE (or --list)\n' });
    expect(twice).toMatchObject({
      status: 2,
      stderr: 'soc2-ml: review.pdf: given twice; each file is stored under its own name\n',
    });
    expect(empty).toMatchObject({ status: 2, stderr: 'soc2-ml: --attested-by: give a name\n' });
  });
});
