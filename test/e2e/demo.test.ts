import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DemoSummary } from '../../lambdas/cli/demo';
import { PLANTED_SECRETS } from '../../lambdas/cli/demo-seed';
import { runCliCaptured } from '../helpers/cli';

/** The whole demo (emulator start, seeding, collect, report, event) takes seconds; a busy machine gets room. */
const DEMO_TIMEOUT_MS = 180_000;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('soc2-ml demo', () => {
  let dir: string;
  let demo: DemoSummary;
  let status: number;
  let stderr: string;
  const environmentBefore = { ...process.env };

  beforeAll(async () => {
    // Prepare
    dir = await mkdtemp(join(tmpdir(), 'soc2-demo-'));

    // Act
    const run = await runCliCaptured(['--json', 'demo', '--dir', join(dir, 'demo')]);
    status = run.status;
    stderr = run.stderr;
    demo = JSON.parse(run.stdout) as DemoSummary;
  }, DEMO_TIMEOUT_MS);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 with --json output only (no progress on stderr)', () => {
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  it('writes no planted secret anywhere: evidence, change log, alerts, digests or reports', async () => {
    const files = await allFiles(join(dir, 'demo'));
    let sawRedactedFields = false;
    for (const file of files) {
      const raw = await readFile(file);
      const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      for (const secret of PLANTED_SECRETS) expect({ file, leaked: text.includes(secret) }).toEqual({ file, leaked: false });
      if (
        file.includes('/evidence/v1/collector=sagemaker/') &&
        text.includes('wandb_api_token') &&
        text.includes('FEATURE_STORE_DB_PASSWORD')
      ) {
        sawRedactedFields = true;
      }
    }
    // The keys are kept (so the absence of values is not because nothing was collected).
    expect(sawRedactedFields).toBe(true);
  });

  it('reports every planted misconfiguration as FAIL for its check and resource', async () => {
    expect(demo.planted.length).toBeGreaterThanOrEqual(8);
    const report = JSON.parse(await readFile(join(dir, 'demo', 'report', 'report.json'), 'utf8')) as {
      items: { findings: { check: string; resource: string; status: string }[] }[];
    };
    const findings = report.items.flatMap((item) => item.findings);
    for (const planted of demo.planted) {
      expect({
        ...planted,
        report: findings.find((f) => f.check === planted.check && f.resource === planted.resource)?.status,
      }).toEqual({ ...planted, status: 'FAIL', report: 'FAIL' });
    }
    expect(new Set(demo.planted.map((p) => `${p.check} ${p.resource}`)).size).toBe(demo.planted.length);
  });

  it('writes the report files and a summary covering all 66 checklist items', async () => {
    expect(await readdir(join(dir, 'demo', 'report'))).toEqual(
      expect.arrayContaining(['report.json', 'report.html', 'report.md', 'report.csv']),
    );
    expect(demo.reportHtml).toBe(join(dir, 'demo', 'report', 'report.html'));
    expect(Object.values(demo.summary).reduce((a, b) => a + b, 0)).toBe(66);
    expect(demo.summary.FAIL).toBeGreaterThan(0);
  });

  it('delivers one Slack message naming the key, who disabled its rotation, the event and both rotation checks', () => {
    expect(demo.change.exitStatus).not.toBe(2);
    expect(demo.alerts.map((a) => a.text)).toEqual([
      `FAIL: DisableKeyRotation by ${demo.change.principal} changed 2 checks on ${demo.change.resource}: kms.rotation_enabled PASS -> FAIL, kms.rotation_period PASS -> FAIL`,
    ]);
  });

  it('keeps its signing key inside its own directory and restores the environment', async () => {
    expect(await readdir(join(dir, 'demo', 'config', 'soc2-ml', 'keys'))).toEqual([expect.stringMatching(/\.pem$/)]);
    expect(process.env.XDG_CONFIG_HOME).toBe(environmentBefore.XDG_CONFIG_HOME);
    expect(process.env.AWS_ACCESS_KEY_ID).toBe(environmentBefore.AWS_ACCESS_KEY_ID);
  });

  it('leaves no emulator process behind', () => {
    expect(demo.emulator.pid).toBeGreaterThan(0);
    expect(isRunning(demo.emulator.pid)).toBe(false);
  });
});

async function allFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
