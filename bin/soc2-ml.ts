#!/usr/bin/env node
import { runCli } from '../lambdas/cli/main';

// The pinned SDK runs on Node 20; its eight-line notice about future SDK releases would
// otherwise precede every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(`soc2-ml: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
