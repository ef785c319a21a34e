import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Date fields moto 5.2.5 writes as epoch seconds in Bedrock Agents answers. */
const EPOCH_FIELDS = /"(createdAt|updatedAt|preparedAt|creationTime|lastModifiedTime|endTime)":\s*(\d{9,}(?:\.\d+)?)/g;
/** moto's Bedrock timestamps "2026-12-01 06:03:22", which the SDK refuses as RFC 3339. */
const SPACED_DATE = /"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?"/g;

/**
 * Rewrites moto's Bedrock timestamps into the RFC 3339 form AWS answers with: moto 5.2.5 writes
 * them as "2026-12-01 06:03:22" or epoch numbers, which the SDK refuses to deserialize. Only the
 * date encoding changes, every other byte is moto's. The demo and the emulator tests put this in
 * front of moto; against AWS nothing is rewritten.
 */
export function rfc3339Dates(body: string): string {
  return body
    .replace(SPACED_DATE, (_m, day: string, time: string, fraction = '') => `"${day}T${time}${fraction.slice(0, 4)}Z"`)
    .replace(
      EPOCH_FIELDS,
      (_m, field: string, seconds: string) => `"${field}": "${new Date(Number(seconds) * 1000).toISOString()}"`,
    );
}

export interface DateRewritingProxy {
  url: string;
  close(): Promise<void>;
}

/** A loopback proxy in front of the emulator that rewrites the dates of Bedrock's JSON answers. */
export async function startDateRewritingProxy(target: string): Promise<DateRewritingProxy> {
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const forward = request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const raw = Buffer.concat(parts);
            // Only Bedrock (and Bedrock Agents, signed as "bedrock") answers: other JSON services use epoch dates on purpose.
            const bedrock = /\/bedrock\/aws4_request/.test(String(incoming.headers.authorization ?? ''));
            // moto labels some of these JSON answers text/html: the body decides.
            const json = raw.subarray(0, 1).toString() === '{';
            const body = bedrock && json ? Buffer.from(rfc3339Dates(raw.toString('utf8'))) : raw;
            outgoing.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': String(body.length) });
            outgoing.end(body);
          });
        },
      );
      forward.on('error', (err) => {
        outgoing.writeHead(502);
        outgoing.end(String(err));
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
