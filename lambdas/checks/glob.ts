/** Glob over ARNs and policy resources: "*" matches any run of characters, "?" exactly one. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((char) => {
      if (char === '*') return '.*';
      if (char === '?') return '.';
      return char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${body}$`, 's');
}
