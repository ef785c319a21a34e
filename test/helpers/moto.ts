import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { AwsClientFactory } from '../../lambdas/aws/clients';

const ROOT = join(__dirname, '..', '..');
export const MOTO_SERVER_BIN = join(ROOT, '.venv', 'bin', 'moto_server');
export const EMULATOR_ACCOUNT = '123456789012';
export const EMULATOR_REGION = 'us-east-1';

export interface MotoServer {
  url: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
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
  const child: ChildProcess = spawn(MOTO_SERVER_BIN, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true', ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`moto_server exited with ${code}: ${stderr}`))),
  );
  exited.catch(() => undefined);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await Promise.race([fetch(`${url}/moto-api/`), exited]);
      if (res.ok || res.status < 500) break;
    } catch (err) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`moto_server did not start on ${url}: ${(err as Error).message} ${stderr}`);
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async reset() {
      const res = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * Registers jest hooks: one moto server per test file (so files can run in parallel),
 * reset before every test. Returns a getter because the server starts in beforeAll.
 */
export function useMoto(env: Record<string, string> = {}): () => MotoServer {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMoto(env);
  }, 60_000);
  beforeEach(async () => {
    await server?.reset();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('moto server not started');
    return server;
  };
}

export const FAKE_CREDENTIALS = async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' });

/** Clients pointed at the emulator: one attempt, since moto answers 500 for what it lacks. */
export function emulatorClients(url: string, region = EMULATOR_REGION): AwsClientFactory {
  return new AwsClientFactory({ region, endpointUrl: url, maxAttempts: 1, credentials: FAKE_CREDENTIALS });
}
