import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from '../../lambdas/config/schema';
import { configFromContext } from '../../lib/soc2-ml-app';
import { buildTestApp, tempOutdir } from './synth';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** bin/app.ts as the CDK CLI runs it: context arrives in CDK_CONTEXT_JSON. */
async function runApp(context: Record<string, unknown>): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(TSX, [join(ROOT, 'bin', 'app.ts')], {
      cwd: ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: tempOutdir() },
    });
    return { code: 0, stderr: '' };
  } catch (err) {
    const failed = err as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

describe('configuration at synth time', () => {
  it('refuses a bad value in the stack factory with a message naming the key', () => {
    // Act / Assess
    expect(() => buildTestApp({ evidence: { retentionDays: -1 } })).toThrow(ConfigError);
    expect(() => buildTestApp({ evidence: { retentionDays: -1 } })).toThrow(/key "evidence\.retentionDays"/);
  });

  it('reads the JSON string that `cdk -c soc2-ml=...` passes, and refuses malformed JSON', () => {
    // Act
    const config = configFromContext('{"regions":["eu-west-1"]}');
    // Assess
    expect(config.regions).toEqual(['eu-west-1']);
    expect(() => configFromContext('{"regions":')).toThrow(/cdk\.json context "soc2-ml": not valid JSON/);
    expect(() => configFromContext('{"evidence":{"lockMode":"NONE"}}')).toThrow(/key "evidence\.lockMode"/);
  });

  it('refuses a Slack webhook URL in the deployed configuration', () => {
    // Act / Assess
    expect(() => configFromContext({ slack: { webhookUrl: 'https://hooks.slack.com/services/T/B/X' } })).toThrow(
      /key "slack\.webhookUrl"/,
    );
  });

  it('exits 2 from bin/app.ts with one line naming the key and no stack trace', async () => {
    // Act
    const result = await runApp({ 'soc2-ml': '{"evidence":{"retentionDays":-1}}', 'aws:cdk:bundling-stacks': [] });
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('key "evidence.retentionDays"')]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
