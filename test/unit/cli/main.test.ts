import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oneLine } from '../../../lambdas/cli/errors';
import * as verify from '../../../lambdas/integrity/verify';
import { runCliCaptured } from '../../helpers/cli';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'soc2-main-'));
  await mkdir(join(dir, 'store'));
});
afterEach(async () => {
  jest.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('an unexpected failure', () => {
  const fault = () => new TypeError('\u001b[2Jcannot read properties of undefined\n  (reading "digest")');

  it('exits 3, distinct from "found a problem", with one escaped line and a pointer to --debug', async () => {
    // Prepare: a bug deep inside verify.
    jest.spyOn(verify, 'verifyStore').mockRejectedValue(fault());

    // Act
    const run = await runCliCaptured(['--quiet', 'verify', '--store', join(dir, 'store')]);

    // Assess
    expect(run.status).toBe(3);
    expect(run.stderr).toBe(
      'soc2-ml: unexpected failure: TypeError: \\u001b[2Jcannot read properties of undefined | (reading "digest") (details with --debug)\n',
    );
  });

  it('prints the stack trace under --debug', async () => {
    jest.spyOn(verify, 'verifyStore').mockRejectedValue(fault());

    const run = await runCliCaptured(['--quiet', '--debug', 'verify', '--store', join(dir, 'store')]);

    expect(run.status).toBe(3);
    const [first, ...details] = run.stderr.trimEnd().split('\n');
    expect(first).toMatch(/^soc2-ml: unexpected failure: TypeError: /);
    expect(details.join('\n')).toMatch(/\n\s+at /);
  });
});

describe('usage errors reported by the option parser', () => {
  it('escape the terminal control characters of the offending argument', async () => {
    const run = await runCliCaptured(['collect', '--\u001b]0;pwned\u0007']);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown option '--\\u001b]0;pwned\\u0007'");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});

describe('oneLine', () => {
  it('escapes terminal control characters and joins lines', () => {
    expect(oneLine('a\u001b[31mb\r\n  c\u0007\u009b')).toBe('a\\u001b[31mb | c\\u0007\\u009b');
  });

  it('cuts a very long message and says where the rest is', () => {
    const line = oneLine('x'.repeat(2000));
    expect(line.length).toBeLessThan(600);
    expect(line.endsWith('(more with --debug)')).toBe(true);
  });
});
