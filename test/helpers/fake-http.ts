import { Readable } from 'node:stream';
import type { HttpRequest, HttpResponse } from '@smithy/types';

export interface FakeAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * A request handler that answers from a function instead of the network, so tests exercise
 * the SDK's own retry strategy (aws-sdk-client-mock replaces `send` and bypasses retries).
 */
export function fakeHttpHandler(answer: (request: HttpRequest) => FakeAnswer) {
  const requests: HttpRequest[] = [];
  return {
    requests,
    handler: {
      handle: async (request: HttpRequest) => {
        requests.push(request);
        const { status, body = '', headers = {} } = answer(request);
        const response = {
          statusCode: status,
          headers: { 'content-type': 'application/xml', ...headers },
          body: Readable.from([Buffer.from(body)]),
        } as unknown as HttpResponse;
        return { response };
      },
    },
  };
}
