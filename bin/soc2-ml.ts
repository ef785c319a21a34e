#!/usr/bin/env node
import { runCli } from '../lambdas/cli/main';

runCli(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(`soc2-ml: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
