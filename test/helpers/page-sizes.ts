/** Any aws-sdk-client-mock stub: only the commands it received are read. */
interface ReceivedCommands {
  calls(): { args: readonly [{ readonly input: object }] }[];
}

/**
 * The distinct values of a page-size input field per List* command a mocked client received,
 * e.g. { ListUsersCommand: [1000] }: a listing that forgot its page size shows [undefined].
 */
export function listingPageSizes(client: ReceivedCommands, field: string): Record<string, unknown[]> {
  const sizes = new Map<string, Set<unknown>>();
  for (const call of client.calls()) {
    const command = call.args[0];
    const name = command.constructor.name;
    if (!name.startsWith('List')) continue;
    const seen = sizes.get(name) ?? new Set();
    seen.add((command.input as Record<string, unknown>)[field]);
    sizes.set(name, seen);
  }
  return Object.fromEntries([...sizes].map(([name, values]) => [name, [...values]]));
}
