import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** jest globalSetup for the layers that need the emulator or cfn-lint: create .venv once. */
export default function setupPythonEnv(): void {
  execFileSync(join(__dirname, '..', '..', 'scripts', 'setup-python-env.sh'), { stdio: 'inherit' });
}
