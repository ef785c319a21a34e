import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  path: string;
  body: { text: string; blocks: unknown[] };
  at: number;
}

/** One queued answer: a status alone, or with headers (Retry-After) and a body (Slack's error string). */
export type QueuedAnswer = number | { status: number; headers?: Record<string, string>; body?: string };

interface TextObject {
  text?: unknown;
}
interface PostedBlock {
  type?: unknown;
  text?: TextObject;
  fields?: TextObject[];
  elements?: TextObject[];
}

const length = (value: unknown) => (typeof value === 'string' ? value.length : 0);

/**
 * What Slack refuses with HTTP 400 invalid_blocks (https://api.slack.com/reference/block-kit/blocks):
 * more than 50 blocks, a header over 150 characters, section text over 3,000, more than 10
 * fields or one over 2,000, more than 10 context elements.
 */
export function blockKitViolation(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  if (blocks.length > 50) return `${blocks.length} blocks`;
  for (const [index, block] of (blocks as PostedBlock[]).entries()) {
    const limit = block.type === 'header' ? 150 : 3000;
    if (length(block.text?.text) > limit) return `block ${index} text of ${length(block.text?.text)} characters`;
    if ((block.fields?.length ?? 0) > 10) return `block ${index} has ${block.fields?.length} fields`;
    if (block.fields?.some((f) => length(f.text) > 2000)) return `block ${index} field over 2000 characters`;
    if ((block.elements?.length ?? 0) > 10) return `block ${index} has ${block.elements?.length} elements`;
    if (block.elements?.some((e) => length(e.text) > 3000)) return `block ${index} element over 3000 characters`;
  }
  return undefined;
}

/**
 * A local stand-in for Slack's incoming webhook (127.0.0.1, a free port): records every post
 * it accepts and answers with the next queued answer (200 when none is queued). Like Slack, it
 * answers 400 invalid_blocks to a message over Block Kit's limits.
 */
export async function startSlackReceiver(): Promise<{
  url: string;
  posts: ReceivedPost[];
  /** Every request, accepted or not, with the status it got. */
  requests: { status: number; body: { text: string; blocks: unknown[] } }[];
  answerNext(...answers: QueuedAnswer[]): void;
  close(): Promise<void>;
}> {
  const posts: ReceivedPost[] = [];
  const requests: { status: number; body: { text: string; blocks: unknown[] } }[] = [];
  const queued: QueuedAnswer[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const violation = blockKitViolation(body.blocks);
      const next = (violation ? undefined : queued.shift()) ?? 200;
      const answer = typeof next === 'number' ? { status: next } : next;
      const status = violation ? 400 : answer.status;
      requests.push({ status, body });
      if (status >= 200 && status < 300) posts.push({ path: request.url ?? '', body, at: performance.now() });
      response.writeHead(status, { 'content-type': 'text/plain', ...(violation ? {} : answer.headers) });
      response.end(violation ? 'invalid_blocks' : (answer.body ?? (status < 300 ? 'ok' : 'internal_error')));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/XXXX`,
    posts,
    requests,
    answerNext: (...answers) => queued.push(...answers),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
