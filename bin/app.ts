#!/usr/bin/env node
import { ConfigError } from '../lambdas/config/schema';
import { buildSoc2MlApp } from '../lib/soc2-ml-app';

try {
  buildSoc2MlApp().app.synth();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  // A configuration mistake is the user's to fix: one line naming the key, no stack trace.
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
