import { errorCode, errorMessage } from '../aws/errors';
import type { CollectionError, CollectionNote } from '../evidence/record';

export type CallOutcome<T> =
  | { status: 'ok'; value: T }
  /** AWS answered that the thing is not configured: a fact, not an error. */
  | { status: 'absent'; code: string }
  /** The call failed and the failure is recorded. */
  | { status: 'failed'; code: string };

/**
 * Records what a collector could and could not see. Every describe call goes through
 * `call`, so an error can never vanish: it is either a documented "not configured" answer
 * or an entry in the evidence record's errors.
 */
export class CollectionLog {
  readonly errors: CollectionError[] = [];
  readonly notes: CollectionNote[] = [];
  readonly deleted: string[] = [];

  constructor(private readonly deadline?: number) {}

  async call<T>(
    api: string,
    resource: string | undefined,
    fn: () => Promise<T>,
    absentCodes: readonly string[] = [],
  ): Promise<CallOutcome<T>> {
    try {
      return { status: 'ok', value: await fn() };
    } catch (err) {
      const code = errorCode(err);
      if (absentCodes.includes(code)) return { status: 'absent', code };
      this.error(api, resource, err);
      return { status: 'failed', code };
    }
  }

  error(api: string, resource: string | undefined, err: unknown): void {
    this.errors.push({ api, ...(resource ? { resource } : {}), code: errorCode(err), message: errorMessage(err) });
  }

  note(resource: string | undefined, message: string): void {
    this.notes.push({ ...(resource ? { resource } : {}), message });
  }

  /**
   * Deadline guard: false (and an error naming the resource) once the run must stop
   * starting new describes, so a partial snapshot is never taken for a complete one.
   */
  mayDescribe(resource: string): boolean {
    if (this.deadline === undefined || Date.now() < this.deadline) return true;
    this.errors.push({
      api: 'deadline',
      resource,
      code: 'DeadlineExceeded',
      message: 'not described: the run stopped before its time limit',
    });
    return false;
  }

  output() {
    return { errors: this.errors, notes: this.notes, deleted: this.deleted };
  }
}
