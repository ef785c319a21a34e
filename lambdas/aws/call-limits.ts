/**
 * Limits on every AWS call, shared by the client factory and the configuration schema (which
 * must not load the SDK at synth time). An endpoint that accepts a connection and never answers
 * would otherwise hold a call, and the collection run waiting on it, for ever.
 */

/** Time allowed to open the TCP (and TLS) connection to an endpoint. */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

/**
 * Time allowed for one attempt, from sending the request to the end of the answer, and the
 * longest silence on its socket. AWS answers the describe and list calls we make in well
 * under a second; a generous limit still ends a hung call.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
