/**
 * Secrets never enter evidence (DESIGN.md, Evidence). Collectors pass every configuration
 * through these functions before returning it.
 */

export const REDACTED = '[REDACTED]';

/** Keeps the keys of a map (which variables exist is evidence) and drops every value. */
export function redactValues(map: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.keys(map ?? {}).map((key) => [key, REDACTED]));
}

/**
 * Resource tags with the value of every secret-looking key (see isSecretKey) REDACTED: a tag
 * `api_key=...` on a bucket is a secret someone filed in the wrong place. Keys are kept, since
 * which tags exist is evidence.
 */
export function redactTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [key, isSecretKey(key) ? REDACTED : value]));
}

/** Words that make a key secret wherever they appear inside one of its words ("dbPassword", "DB_PASSWD"). */
const SECRET_FRAGMENTS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'credential', 'apikey', 'privatekey'];
/** Words that make a key secret only as whole words ("auth" but not "author"). */
const SECRET_WORDS = new Set(['pwd', 'auth', 'authorization', 'cookie']);
/**
 * "key" alone is too common to mean a secret (tag keys, S3 object keys, KMS key ids), so it
 * counts only after a word that makes it key material: apiKey, accessKey, privateKey, SIGNING_KEY.
 */
const KEY_MATERIAL_QUALIFIERS = new Set([
  'api',
  'access',
  'private',
  'secret',
  'signing',
  'encryption',
  'ssh',
  'master',
  'client',
  'shared',
  'account',
  'license',
]);
/**
 * A key whose last word is one of these describes a secret instead of holding it
 * (SecretArn, PasswordPolicy, tokenType, passwordEnabled), so its value is kept.
 */
const DESCRIPTOR_SUFFIXES = new Set([
  'id',
  'ids',
  'arn',
  'arns',
  'name',
  'names',
  'alias',
  'aliases',
  'type',
  'types',
  'mode',
  'method',
  'policy',
  'enabled',
  'status',
  'state',
  'present',
  'required',
  'used',
  'date',
  'time',
  'age',
  'length',
  'count',
  'version',
  'rotation',
  'period',
  'days',
]);

/** Splits camelCase, PascalCase, snake_case, kebab-case and dotted keys into lowercase words. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_\-.:/]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
}

/**
 * True when a key's value is probably a secret. The rule, in order:
 * 1. a key ending in a descriptor word (Id, Arn, Name, Type, Policy, Enabled...) is metadata: not secret;
 * 2. a word containing password, passwd, passphrase, secret, token, credential, apikey or privatekey is secret;
 * 3. the whole words pwd, auth, authorization and cookie are secret;
 * 4. "key" is secret after api, access, private, secret, signing, encryption, ssh, master, client, shared, account or license.
 */
export function isSecretKey(key: string): boolean {
  const words = keyWords(key);
  const last = words[words.length - 1];
  if (last === undefined || DESCRIPTOR_SUFFIXES.has(last)) return false;
  if (words.some((word) => SECRET_FRAGMENTS.some((fragment) => word.includes(fragment)))) return true;
  if (words.some((word) => SECRET_WORDS.has(word))) return true;
  return words.some(
    (word, index) => (word === 'key' || word === 'keys') && index > 0 && KEY_MATERIAL_QUALIFIERS.has(words[index - 1]!),
  );
}

/**
 * Returns a copy in which the value of every secret-looking key (see isSecretKey), at any depth,
 * is REDACTED. Booleans and nulls are kept: they say whether something is set, not what it is.
 */
export function redactSecrets<T>(value: T): T {
  return redactNode(value) as T;
}

function redactNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(redactNode);
  if (node === null || typeof node !== 'object' || node instanceof Date) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node)) {
    const keep = child === null || child === undefined || typeof child === 'boolean';
    copy[key] = isSecretKey(key) && !keep ? REDACTED : redactNode(child);
  }
  return copy;
}

interface CredentialPattern {
  name: string;
  regex: RegExp;
}

/**
 * What a credential looks like in a script. Assignments from a variable ("password=$DB_PASS")
 * are not matches: the value is not in the text.
 */
export const CREDENTIAL_PATTERNS: readonly CredentialPattern[] = [
  { name: 'aws-access-key-id', regex: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/ },
  { name: 'aws-secret-access-key', regex: /aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+=]{20,}/i },
  { name: 'private-key', regex: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/ },
  { name: 'password-assignment', regex: /\b[\w-]*(?:password|passwd|pwd)\s*[=:]\s*["']?[^\s"'$]/i },
  { name: 'token-assignment', regex: /\b[\w-]*(?:token|api[_-]?key)\s*[=:]\s*["']?[^\s"'$]/i },
  { name: 'slack-token', regex: /\bxox[baprs]-[A-Za-z0-9-]{10,}/ },
  { name: 'github-token', regex: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/ },
];

/** The names of the credential patterns found in a text, sorted; never the matched text itself. */
export function scanForCredentials(text: string): string[] {
  return CREDENTIAL_PATTERNS.filter((pattern) => pattern.regex.test(text))
    .map((pattern) => pattern.name)
    .sort();
}

/** scanForCredentials over a base64-encoded script, as SageMaker lifecycle configurations carry them. */
export function scanBase64ScriptForCredentials(base64: string): string[] {
  return scanForCredentials(Buffer.from(base64, 'base64').toString('utf8'));
}
