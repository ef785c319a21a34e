#!/usr/bin/env node
import { EXIT, oneLine } from '../lambdas/cli/errors';
import { runCli } from '../lambdas/cli/main';

// The pinned SDK runs on Node 20; its eight-line notice about future SDK releases would
// otherwise precede every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    // runCli reports its own failures; reaching here is a fault of the CLI itself (exit 3, CONTRACT.md).
    process.stderr.write(`soc2-ml: unexpected failure: ${oneLine((err as Error).message)}\n`);
    process.exitCode = EXIT.internal;
  },
);
