import { createOutput, formatTable } from '../../../lambdas/cli/output';

describe('CLI output', () => {
  it('colours status cells only on a terminal without NO_COLOR', () => {
    const tty = createOutput({ stdout: () => undefined, terminal: { stdout: true }, env: {} });
    const noColour = createOutput({ stdout: () => undefined, terminal: { stdout: true }, env: { NO_COLOR: '1' } });
    const piped = createOutput({ stdout: () => undefined, terminal: { stdout: false }, env: {} });
    expect([tty.colour, noColour.colour, piped.colour]).toEqual([true, false, false]);
    expect(formatTable(['status', 'items'], [['FAIL', 3]], { colour: true })).toContain('\u001b[31mFAIL  \u001b[0m');
    expect(formatTable(['status', 'items'], [['FAIL', 3]])).not.toContain('\u001b[');
  });

  it('prints plain step lines when stderr is not a terminal, nothing with --quiet', () => {
    let stderr = '';
    const steps = createOutput({ stderr: (t) => (stderr += t) }).steps(2);
    steps.start('kms us-east-1');
    steps.done('kms us-east-1', '2 resources');
    steps.stop();
    let quiet = '';
    const silent = createOutput({ quiet: true, stderr: (t) => (quiet += t) }).steps(1);
    silent.start('s3 global');
    expect(stderr).toBe('kms us-east-1: collecting...\nkms us-east-1: 2 resources\n');
    expect(quiet).toBe('');
  });
});
