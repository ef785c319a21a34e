import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsClientFactory } from '../../lambdas/aws/clients';
import { runCli } from '../../lambdas/cli/main';
import { COLLECTORS } from '../../lambdas/collectors/registry';
import { parseConfig } from '../../lambdas/config/schema';
import { readEvidence } from '../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../lambdas/evidence/local-store';
import { collectOnSchedule } from '../../lambdas/handlers/collect';
import { type BlackHole, startBlackHole } from '../helpers/black-hole';
import { runCliCaptured } from '../helpers/cli';
import { EMULATOR_ACCOUNT, FAKE_CREDENTIALS, freePort, useMoto } from '../helpers/moto';

/**
 * Fault injection: endpoints that hang, refuse or freeze mid-run. Limits are short and
 * configured; jest's own timeout is long, so a slow machine changes nothing but a hang fails.
 */
const moto = useMoto();
let dir: string;
let blackHole: BlackHole;
let config: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'soc2-faults-'));
  process.env.XDG_CONFIG_HOME = join(dir, 'config-home');
  blackHole = await startBlackHole();
  config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ collection: { maxAttempts: 1, connectionTimeoutMs: 1000, requestTimeoutMs: 1000 } }));
});
afterEach(async () => {
  await blackHole.close();
  await rm(dir, { recursive: true, force: true });
});

describe('collect against an endpoint that accepts and never answers', () => {
  it('ends with one line naming the endpoint and the timeout (exit 2), not a hang', async () => {
    // Act
    const run = await runCliCaptured([
      '--endpoint-url',
      blackHole.url,
      'collect',
      '--config',
      config,
      '--store',
      join(dir, 'evidence'),
    ]);

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`cannot reach ${blackHole.url} (TimeoutError:`);
    expect(blackHole.connections).toBeGreaterThan(0);
  });

  it('names the endpoint after one connection and request timeout, not after every retry', async () => {
    // Prepare: five attempts of 500 ms each would take 2.5 s; the identity check allows 1 s.
    const retrying = join(dir, 'retrying.json');
    await writeFile(
      retrying,
      JSON.stringify({ collection: { maxAttempts: 5, connectionTimeoutMs: 500, requestTimeoutMs: 500 } }),
    );

    // Act
    const run = await runCliCaptured([
      '--endpoint-url',
      blackHole.url,
      'collect',
      '--config',
      retrying,
      '--store',
      join(dir, 'e'),
    ]);

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`soc2-ml: cannot reach ${blackHole.url} (TimeoutError: no answer within 1000 ms)\n`);
    expect(blackHole.connections).toBeLessThan(5);
  });

  it('in the Lambda, stores what each region has with the unfinished calls as errors by the deadline', async () => {
    // Prepare: a request timeout far beyond the deadline, as a real one would be for a short run.
    const clients = new AwsClientFactory({
      region: 'us-east-1',
      endpointUrl: blackHole.url,
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 3,
      requestTimeoutMs: 600_000,
    });
    const store = await LocalDirectoryStore.open(join(dir, 'evidence'));

    // Act
    const result = await collectOnSchedule({
      collector: COLLECTORS.kms,
      config: parseConfig({ regions: ['us-east-1', 'eu-west-1'] }),
      account: EMULATOR_ACCOUNT,
      homeRegion: 'us-east-1',
      clients,
      store,
      deadline: Date.now() + 500,
    });

    // Assess: a record per region, each naming the call the deadline cut.
    expect(result.failures).toEqual([]);
    expect(result.runs.map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1']);
    for (const run of result.runs) {
      const record = await readEvidence(store, run.key);
      expect(record?.errors.length).toBeGreaterThan(0);
      expect(record?.errors.every((e) => e.code === 'DeadlineExceeded' && e.api.startsWith('kms:'))).toBe(true);
    }
  });
});

describe('collect against a refused connection', () => {
  it('names the endpoint and the connection error instead of blaming the credentials', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;

    const run = await runCliCaptured(['--endpoint-url', url, 'collect', '--config', config, '--store', join(dir, 'e')]);

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^soc2-ml: cannot reach ${url} \\(ECONNREFUSED: .*ECONNREFUSED.*\\)\\n$`));
    expect(run.stderr).not.toContain('credentials');
  });
});

describe('collect while the emulator freezes mid-run', () => {
  it('finishes, writes every record with the hung calls as errors, and exits 1 with a summary', async () => {
    // Prepare: calls before the freeze must not time out on a busy machine, so the limit is
    // generous here; each hung call after it costs one limit.
    const storeDir = join(dir, 'evidence');
    const frozenConfig = join(dir, 'frozen.json');
    await writeFile(frozenConfig, JSON.stringify({ collection: { maxAttempts: 1, requestTimeoutMs: 8000 } }));
    let stderr = '';
    let stdout = '';
    let frozen = false;

    // Act: freeze moto (SIGSTOP) once the account is resolved and collection begins.
    let status: number;
    try {
      status = await runCli(
        [
          '--endpoint-url',
          moto().url,
          'collect',
          '--collectors',
          'kms',
          '--regions',
          'us-east-1,us-west-2',
          '--config',
          frozenConfig,
          '--store',
          storeDir,
        ],
        {
          stdout: (t) => {
            stdout += t;
          },
          stderr: (t) => {
            stderr += t;
            if (!frozen && stderr.includes('collecting account')) {
              process.kill(moto().pid, 'SIGSTOP');
              frozen = true;
            }
          },
        },
      );
    } finally {
      if (frozen) process.kill(moto().pid, 'SIGCONT');
    }

    // Assess
    expect({ frozen, stderr: frozen ? '' : stderr }).toEqual({ frozen: true, stderr: '' });
    expect(status).toBe(1);
    const summary = stderr.trim().split('\n').at(-1)!;
    expect(summary).toMatch(/^soc2-ml: \d+ calls? failed: .*TimeoutError.*--allow-errors/);
    const store = await LocalDirectoryStore.open(storeDir);
    const keys = [...stdout.matchAll(/evidence\/v1\/\S+\.json\.gz/g)].map((m) => m[0]);
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      const record = await readEvidence(store, key);
      expect(record?.errors.some((e) => e.code === 'TimeoutError')).toBe(true);
    }
  });
});
