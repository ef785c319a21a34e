/**
 * Benchmark of sealing and offline verification: writes N small evidence objects (default
 * 50,000) spread over 50 days into a temporary local store, seals every day, verifies, and
 * prints throughput and peak RSS. Usage: npm run bench:verify -- [objects]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { evidenceKey } from '../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../lambdas/evidence/local-store';
import { sealPeriods } from '../lambdas/integrity/digest';
import { LocalDigestSigner } from '../lambdas/integrity/signer';
import { forEachBounded } from '../lambdas/integrity/store-objects';
import { verifyStore } from '../lambdas/integrity/verify';

const DAYS = 50;
const ACCOUNT = '123456789012';
const FIRST_DAY_MS = Date.parse('2026-01-01T00:00:00Z');
const DAY_MS = 86_400_000;

function* objectKeys(count: number): Iterable<{ key: string; index: number }> {
  for (let index = 0; index < count; index += 1) {
    const day = index % DAYS;
    const collectedAt = new Date(FIRST_DAY_MS + day * DAY_MS + Math.floor(index / DAYS) * 1000).toISOString();
    yield {
      key: evidenceKey({
        collector: { name: 's3', version: '1' },
        account: ACCOUNT,
        region: 'us-east-1',
        collectedAt,
        id: `bench-${index}`,
      }),
      index,
    };
  }
}

function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')} objects/s`;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 50_000);
  const dir = await mkdtemp(join(tmpdir(), 'soc2-bench-verify-'));
  try {
    const store = await LocalDirectoryStore.open(join(dir, 'store'));
    const signer = await LocalDigestSigner.open(join(dir, 'keys', 'digest.pem'));
    const body = new TextEncoder().encode(JSON.stringify({ schema: 'evidence/v1', padding: 'x'.repeat(400) }));

    let started = performance.now();
    await forEachBounded(objectKeys(count), 16, async ({ key }) => {
      await store.put(key, body);
    });
    console.log(`wrote  ${count} objects in ${Math.round(performance.now() - started)} ms`);

    const now = new Date(FIRST_DAY_MS + (DAYS + 1) * DAY_MS);
    started = performance.now();
    const sealed = await sealPeriods(store, signer, { now });
    const sealMs = performance.now() - started;
    console.log(`sealed ${sealed.length} digests in ${Math.round(sealMs)} ms (${rate(count, sealMs)})`);

    started = performance.now();
    const result = await verifyStore(store, { now, publicKeys: [await signer.publicKeyPem()] });
    const verifyMs = performance.now() - started;
    console.log(
      `verified ${result.summary.objectsChecked} objects, ${result.summary.bytesChecked} bytes, ${result.summary.digests} digests ` +
        `in ${Math.round(verifyMs)} ms (${rate(result.summary.objectsChecked, verifyMs)}); problems: ${result.problems.length}`,
    );
    // maxRSS is in kilobytes.
    console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
    if (result.problems.length > 0 || result.summary.objectsChecked !== count) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
