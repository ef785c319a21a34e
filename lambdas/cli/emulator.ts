import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/** moto's fixed account and the region the demo and the tests use. */
export const EMULATOR_ACCOUNT = '123456789012';
export const EMULATOR_REGION = 'us-east-1';

/** Time allowed for moto to answer after start; it listens in about 0.4 s on an idle machine. */
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;

/**
 * The package root (where requirements-emulator.txt and .venv live), found by walking up so
 * that it is the same from lambdas/cli under tsx and from dist/lambdas/cli once compiled.
 */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'requirements-emulator.txt'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`requirements-emulator.txt not found above ${from}`);
    dir = parent;
  }
  return dir;
}

export function motoServerBin(root: string = packageRoot()): string {
  return join(root, '.venv', 'bin', 'moto_server');
}

/**
 * Creates .venv with the pinned moto when it is missing or out of date (the script is a no-op
 * otherwise). Its own messages go to `log`: the first run downloads packages and takes a while.
 */
export async function ensureEmulatorEnvironment(log: (line: string) => void = () => undefined): Promise<void> {
  const script = join(packageRoot(), 'scripts', 'setup-python-env.sh');
  await new Promise<void>((resolve, reject) => {
    execFile(script, (err, _stdout, stderr) => {
      for (const line of stderr.split('\n').filter((l) => l.trim().length > 0)) log(line);
      if (err) reject(new Error(`${script} failed: ${err.message}`));
      else resolve();
    });
  });
}

export interface MotoServer {
  url: string;
  /** The moto_server process id, so callers can prove it is gone. */
  pid: number;
  reset(): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
  /** Synchronous SIGKILL for signal handlers, where nothing asynchronous may run. */
  kill(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts moto in server mode on a free loopback port and waits until it answers. */
export async function startMoto(env: Record<string, string> = {}): Promise<MotoServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(motoServerBin(), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true', ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new Error(`moto_server could not start: ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`moto_server exited with ${code}: ${stderr}`)));
  });
  exited.catch(() => undefined);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      const res = await Promise.race([fetch(`${url}/moto-api/`), exited]);
      if (res.ok || res.status < 500) break;
    } catch (err) {
      if (child.exitCode !== null || child.pid === undefined || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`moto_server did not start on ${url}: ${(err as Error).message} ${stderr}`);
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    pid: child.pid!,
    async reset() {
      const res = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
    },
    async stop() {
      if (!running()) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
      if (running()) {
        child.kill('SIGKILL');
        await gone;
      }
    },
    kill() {
      if (running()) child.kill('SIGKILL');
    },
  };
}
