import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { Soc2MlConfigInput } from '../../lambdas/config/schema';
import { buildSoc2MlApp, CONFIG_CONTEXT_KEY, type Soc2MlAppOptions } from '../../lib/soc2-ml-app';

/** Context that makes NodejsFunction skip esbuild: all but one infra test look at templates only. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh cloud assembly directory, removed when the test file ends. */
export function tempOutdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'soc2-ml-synth-'));
  outdirs.push(dir);
  return dir;
}

/** The deployed app with the given `soc2-ml` context, without bundling. */
export function buildTestApp(config: Soc2MlConfigInput | string = {}, options: Soc2MlAppOptions = {}) {
  return buildSoc2MlApp({
    outdir: tempOutdir(),
    ...options,
    context: { ...SKIP_BUNDLING, [CONFIG_CONTEXT_KEY]: config, ...options.context },
  });
}

/** The stack's template with cdk-nag off (nag has its own tests). */
export function synthTemplate(config: Soc2MlConfigInput = {}): Template {
  return Template.fromStack(buildTestApp(config, { nag: false }).stack);
}
