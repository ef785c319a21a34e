import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  path: string;
  body: { text: string; blocks: unknown[] };
  at: number;
}

/**
 * A local stand-in for Slack's incoming webhook (127.0.0.1, a free port): records every post
 * and answers with the next queued status (200 when none is queued).
 */
export async function startSlackReceiver(): Promise<{
  url: string;
  posts: ReceivedPost[];
  answerNext(...statuses: number[]): void;
  close(): Promise<void>;
}> {
  const posts: ReceivedPost[] = [];
  const queued: number[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = queued.shift() ?? 200;
      if (status >= 200 && status < 300)
        posts.push({ path: request.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')), at: performance.now() });
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status < 300 ? 'ok' : 'internal_error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/XXXX`,
    posts,
    answerNext: (...statuses) => queued.push(...statuses),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
