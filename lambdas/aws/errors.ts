/** The AWS error code of anything thrown by an SDK v3 call, or a stable stand-in. */
export function errorCode(err: unknown): string {
  // A body the SDK cannot parse (an HTML error page, a 500 from an endpoint that lacks the
  // operation) surfaces as SyntaxError; the HTTP status says more about what happened.
  const status = httpStatus(err);
  if (err instanceof SyntaxError && status !== undefined) return `HTTP${status}`;
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; Code?: unknown; code?: unknown };
    for (const candidate of [e.Code, e.name, e.code]) {
      if (typeof candidate === 'string' && candidate.length > 0 && candidate !== 'Error') return candidate;
    }
  }
  return 'UnknownError';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  // Collectors also record plain { name, message } objects for failures they detect themselves.
  const message = (err as { message?: unknown } | null | undefined)?.message;
  if (typeof message === 'string') return message;
  return String(err);
}

/** HTTP status of an SDK error when it carries one. */
export function httpStatus(err: unknown): number | undefined {
  const meta = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
  return meta?.httpStatusCode;
}
