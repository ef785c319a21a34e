import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../../../lambdas/catalog/catalog';
import { runCliCaptured } from '../../helpers/cli';

describe('soc2-ml templates', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'soc2-templates-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes one Markdown template per manual or partial item, each naming its id and title', async () => {
    // Prepare
    const needing = loadCatalog().items.filter((item) => item.kind !== 'auto');
    // Act
    const run = await runCliCaptured(['templates', '--out', dir]);
    // Assess
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect((await readdir(dir)).sort()).toEqual(needing.map((item) => `${item.id}.md`).sort());
    for (const item of needing) {
      const text = await readFile(join(dir, `${item.id}.md`), 'utf8');
      expect(text.split('\n')[0]).toBe(`# ${item.id}: ${item.title}`);
    }
  });

  it('writes only the item asked for', async () => {
    // Act
    const run = await runCliCaptured(['--json', 'templates', '--out', dir, '--item', 'sec-am-5']);
    // Assess
    expect(run.status).toBe(0);
    expect(await readdir(dir)).toEqual(['SEC-AM-5.md']);
    expect(JSON.parse(run.stdout).templates).toEqual([
      { itemId: 'SEC-AM-5', title: 'Periodic access reviews', file: join(dir, 'SEC-AM-5.md') },
    ]);
  });

  it('refuses an unknown item and an automated one with one line and exit 2', async () => {
    // Act
    const unknown = await runCliCaptured(['templates', '--out', dir, '--item', 'SEC-AM-55']);
    const automated = await runCliCaptured(['templates', '--out', dir, '--item', 'SEC-DP-1']);
    // Assess
    expect(unknown).toEqual({
      status: 2,
      stdout: '',
      stderr: expect.stringMatching(/^soc2-ml: --item SEC-AM-55: unknown checklist item; closest: SEC-AM-5[^\n]*\n$/),
    });
    expect(automated).toEqual({
      status: 2,
      stdout: '',
      stderr: 'soc2-ml: --item SEC-DP-1: fully automated, it needs no manual evidence and has no template\n',
    });
    expect(await readdir(dir)).toEqual([]);
  });
});
