import { maskAccessKeyIds } from '../evidence/mask';

/** The AWS error code of anything thrown by an SDK v3 call, or a stable stand-in. */
export function errorCode(err: unknown): string {
  // A body the SDK cannot parse (an HTML error page, a 500 from an endpoint that lacks the
  // operation) says more by its HTTP status than by the parser's exception name.
  const status = httpStatus(err);
  if (status !== undefined && isUnparsedResponse(err)) return `HTTP${status}`;
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; Code?: unknown; code?: unknown };
    for (const candidate of [e.Code, e.name, e.code]) {
      if (typeof candidate === 'string' && candidate.length > 0 && candidate !== 'Error') return candidate;
    }
  }
  return 'UnknownError';
}

/**
 * What went wrong, as one clean line an auditor can read: never the SDK's hints about hidden
 * fields, never a multi-line dump. A response the SDK could not parse is described by its status
 * ("answered HTTP 500 with a non-JSON body").
 */
export function errorMessage(err: unknown): string {
  const status = httpStatus(err);
  if (status !== undefined && isUnparsedResponse(err)) {
    return `answered HTTP ${status} with ${err instanceof SyntaxError ? 'a non-JSON body' : 'a body that is not a valid AWS response'}`;
  }
  if (err instanceof Error) return cleanMessage(err.message || err.name);
  // Collectors also record plain { name, message } objects for failures they detect themselves.
  const message = (err as { message?: unknown } | null | undefined)?.message;
  if (typeof message === 'string') return cleanMessage(message);
  return cleanMessage(String(err));
}

/** HTTP status of an SDK error when it carries one. */
export function httpStatus(err: unknown): number | undefined {
  const meta = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
  return meta?.httpStatusCode;
}

/** What the SDK appends to an error it could not deserialize (@smithy/core deserializer middleware). */
const SDK_DESERIALIZATION_HINT =
  /Deserialization error: to see the raw response, inspect the hidden field \{error\}\.\$response on this object\.?/g;
const LONGEST_MESSAGE = 300;

/**
 * One line without SDK internals, access key ids masked, cut at a readable length: also applied
 * to messages recorded before this wording.
 */
export function cleanMessage(message: string): string {
  const line = maskAccessKeyIds(message.replace(SDK_DESERIALIZATION_HINT, '').replace(/\s+/g, ' ').trim());
  return line.length > LONGEST_MESSAGE ? `${line.slice(0, LONGEST_MESSAGE - 1)}…` : line;
}

/**
 * True for an error raised while parsing a response rather than one AWS answered: service
 * exceptions carry `$fault`; a parser failure carries only the response metadata the SDK adds.
 */
function isUnparsedResponse(err: unknown): boolean {
  if (err instanceof SyntaxError) return true;
  if (!(err instanceof Error) || '$fault' in err) return false;
  return err.message.includes('Deserialization error:');
}
