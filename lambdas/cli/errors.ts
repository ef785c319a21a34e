/** Bad usage or configuration: the CLI prints the one-line message and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit statuses of CONTRACT.md. */
export const EXIT = { ok: 0, problemFound: 1, usage: 2 } as const;
