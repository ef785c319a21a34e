/** Bad usage or configuration: the CLI prints the one-line message and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit statuses of CONTRACT.md. */
export const EXIT = { ok: 0, problemFound: 1, usage: 2, internal: 3 } as const;

/** Longest message the CLI prints on its one error line; the rest is behind --debug. */
const MAX_LINE_LENGTH = 500;

/** Control characters (ANSI escapes, bells, raw bytes of a hostile file) shown as \uXXXX, never interpreted; newlines kept. */
export function escapeControl(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A message as one safe terminal line: control characters escaped, newlines become " | ". */
export function oneLine(message: string): string {
  const escaped = escapeControl(message.replace(/\r?\n\s*/g, ' | '));
  return escaped.length > MAX_LINE_LENGTH ? `${escaped.slice(0, MAX_LINE_LENGTH)}... (more with --debug)` : escaped;
}
