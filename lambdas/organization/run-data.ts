import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { COLLECTOR_NAMES, type CollectorName } from '../evidence/record';
import { memberTaskResultSchema, memberTaskSchema } from './member-task';
import type { MemberRunPlan, MemberTaskResult } from './plan';

/**
 * A run's plan and its per-task results travel through S3, not through the state machine:
 * about 100 bytes per collector, account and region outgrow Step Functions' 256 KiB state
 * limit at a few hundred accounts. The plan is one JSON array per collector, which each
 * distributed map reads with its ItemReader; each map writes its children's outputs with a
 * ResultWriter, whose manifest the summary reads.
 */
export const RUN_DATA_PLAN_PREFIX = 'plans/';
export const RUN_DATA_RESULTS_PREFIX = 'results/';

const safeRunId = (runId: string) => runId.replace(/[^\w.-]/g, '-');

export function planKey(runId: string, collector: CollectorName): string {
  return `${RUN_DATA_PLAN_PREFIX}${safeRunId(runId)}/${collector}.json`;
}

/** Writes one plan file per collector; returns collector -> key. */
export async function writePlan(
  s3: S3Client,
  bucket: string,
  runId: string,
  plan: MemberRunPlan,
): Promise<Record<CollectorName, string>> {
  const keys = Object.fromEntries(COLLECTOR_NAMES.map((collector) => [collector, planKey(runId, collector)])) as Record<
    CollectorName,
    string
  >;
  await Promise.all(
    COLLECTOR_NAMES.map((collector) =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: keys[collector],
          Body: new TextEncoder().encode(JSON.stringify(plan[collector])),
          ContentType: 'application/json',
        }),
      ),
    ),
  );
  return keys;
}

/** Where a distributed map wrote its results: the state output's ResultWriterDetails. */
export const resultWriterDetailsSchema = z.looseObject({ Bucket: z.string().min(1), Key: z.string().min(1) });
export type ResultWriterDetails = z.infer<typeof resultWriterDetailsSchema>;

/**
 * manifest.json of a map run ("ResultWriter (Map)", exporting to Amazon S3:
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html).
 */
const manifestSchema = z.looseObject({
  ResultFiles: z.looseObject({
    SUCCEEDED: z.array(z.looseObject({ Key: z.string() })).default([]),
    FAILED: z.array(z.looseObject({ Key: z.string() })).default([]),
    PENDING: z.array(z.looseObject({ Key: z.string() })).default([]),
  }),
});
/** A failed child execution is written unchanged (Transformation NONE): its input is the task. */
const failedChildSchema = z.looseObject({ Input: z.string(), Error: z.string().optional(), Cause: z.string().optional() });

/**
 * A child's output: as written with Transformation COMPACT (the output itself) or, should a
 * map write without it, wrapped as {Input, Output, Status} with Output as JSON text.
 */
function childOutput(entry: unknown): unknown {
  const wrapped = z.looseObject({ Output: z.string() }).safeParse(entry);
  return wrapped.success ? JSON.parse(wrapped.data.Output) : entry;
}

async function readJson(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return JSON.parse(new TextDecoder().decode(await object.Body.transformToByteArray()));
}

/**
 * Every task result of the maps: the children's outputs (COMPACT, JSON) and, for a child that
 * failed outright, a `failed` result built from its input. Pending children leave their tasks
 * out, which the summary reports as missing.
 */
export async function readMapResults(s3: S3Client, maps: readonly ResultWriterDetails[]): Promise<MemberTaskResult[]> {
  const results: MemberTaskResult[] = [];
  for (const map of maps) {
    const manifest = manifestSchema.parse(await readJson(s3, map.Bucket, map.Key));
    for (const file of manifest.ResultFiles.SUCCEEDED)
      for (const entry of z.array(z.unknown()).parse(await readJson(s3, map.Bucket, file.Key)))
        results.push(memberTaskResultSchema.parse(childOutput(entry)));
    for (const file of manifest.ResultFiles.FAILED) {
      for (const child of z.array(failedChildSchema).parse(await readJson(s3, map.Bucket, file.Key))) {
        const task = memberTaskSchema.parse(JSON.parse(child.Input));
        results.push({
          ...task,
          status: 'failed',
          message: `${child.Error ?? 'child execution failed'}: ${child.Cause ?? ''}`.slice(0, 300),
        });
      }
    }
  }
  return results;
}
