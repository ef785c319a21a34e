import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import { runCliCaptured } from '../../helpers/cli';
import { snapshotAt } from '../period/fixtures';

let dir: string;
let store: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'soc2-cli-period-'));
  process.env.XDG_CONFIG_HOME = join(dir, 'config-home');
  store = join(dir, 'evidence');
  await snapshotAt(await LocalDirectoryStore.open(store), '2026-10-10T06:00:00.000Z', false);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const WINDOW = ['--from', '2026-10-01', '--to', '2026-10-31'];
const period = (args: string[], { storeDir = store, quiet = true } = {}) =>
  runCliCaptured([...(quiet ? ['--quiet'] : []), 'period', '--store', storeDir, '--out', join(dir, 'out'), ...args]);

describe('soc2-ml period', () => {
  it.each([
    [['--from', '2026-13-01', '--to', '2026-12-31'], 'soc2-ml: --from 2026-13-01: not a date (YYYY-MM-DD)\n'],
    [['--from', '2026-10-31', '--to', '2026-10-01'], 'soc2-ml: --to 2026-10-01 is before --from 2026-10-31\n'],
    [
      ['--from', '2026-10-01', '--to', '2026-10-31', '--seed', '-1'],
      'soc2-ml: --seed -1: must be a whole number from 0 to 4294967295\n',
    ],
    [
      ['--from', '2026-11-01', '--to', '2026-11-30'],
      expect.stringMatching(/^soc2-ml: no evidence collected between 2026-11-01 and 2026-11-30 in .*\n$/),
    ],
  ])('exits 2 with one line for %j', async (args, message) => {
    // Act
    const run = await period(args);

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toEqual(message);
  });

  it('exits 2 for a store that does not exist, and creates none', async () => {
    // Act
    const run = await period(WINDOW, { storeDir: join(dir, 'typo') });

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^soc2-ml: evidence store .*typo cannot be used: no such directory\n$/);
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  });

  it('writes the period files and prints the seed to re-draw the sample', async () => {
    // Act
    const run = await period([...WINDOW, '--seed', '99'], { quiet: false });

    // Assess
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('sample seed 99 (re-draw the same rows with --seed 99)');
    const csv = await readFile(join(dir, 'out', 'period.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe(
      'check,resource,account,region,items,status,from,to,seconds,event_name,event_id,principal,event_time,detail,evidence_key,evidence_sha256',
    );
    expect(csv).toContain(',FAIL,2026-10-10T06:00:00.000Z,2026-10-11T08:00:00.000Z,');
    const html = await readFile(join(dir, 'out', 'period.html'), 'utf8');
    expect(html).toContain('<svg class="timeline"');
  });
});
