import { keyWords, scanForCredentials } from './redact';

/**
 * The checklist's rule for a credential held in a key/value map (SageMaker hyper-parameters and
 * container environments, checks sm.training.no_secrets and sm.model.no_secrets): a value that
 * matches a credential pattern, or a non-empty literal under a key that names a secret. It runs
 * in the collector on the raw values, before redaction, and keeps only the key and the rule:
 * the value itself never leaves this function.
 */

/** The rule for a literal under a secret-naming key (password, passwd, secret, token, api_key, apikey, private_key, credential). */
export const SECRET_NAMED_KEY_RULE = 'secret-named-key';

export interface CredentialEntry {
  /** Which map of the resource holds it ("hyperParameters", "environment", "containers[0].environment"). */
  source: string;
  key: string;
  /** A credential pattern name (see CREDENTIAL_PATTERNS) or SECRET_NAMED_KEY_RULE. */
  rule: string;
}

/** Words that name a secret wherever they appear inside a word of the key ("dbPassword", "MYSECRET"). */
const SECRET_FRAGMENTS = ['password', 'passwd', 'secret', 'credential', 'apikey', 'privatekey'];
/**
 * A key ending in one of these names where a secret is kept, not the secret (DB_SECRET_ARN,
 * password_file, token_url): its value is a reference, not a literal.
 */
const REFERENCE_SUFFIXES = new Set(['arn', 'id', 'name', 'path', 'file', 'dir', 'url', 'uri', 'type', 'length', 'enabled']);

/**
 * Words before "token" that make it a language-model setting, not a credential: the tokenizer's
 * special tokens (pad_token, eos_token) and counts (max_token).
 */
const TOKENIZER_WORDS = new Set(['pad', 'eos', 'bos', 'unk', 'sep', 'cls', 'mask', 'start', 'end', 'max', 'min', 'num']);

/**
 * True when the key names a secret. "token" counts only as the key's last word or its end
 * (HF_TOKEN, githubToken, accesstoken), and not after a tokenizer word: max_tokens,
 * tokenizer_name, token_limit and eos_token are ordinary hyper-parameters of language models.
 */
export function namesSecret(key: string): boolean {
  const words = keyWords(key);
  const last = words[words.length - 1];
  if (last === undefined || REFERENCE_SUFFIXES.has(last)) return false;
  if (words.some((word) => SECRET_FRAGMENTS.some((fragment) => word.includes(fragment)))) return true;
  if (last.endsWith('token') && !TOKENIZER_WORDS.has(words[words.length - 2] ?? '')) return true;
  return words.some((word, i) => word === 'key' && (words[i - 1] === 'api' || words[i - 1] === 'private'));
}

/**
 * Values that point at a secret instead of holding it: a Secrets Manager or Parameter Store ARN,
 * a CloudFormation dynamic reference, or a shell variable.
 */
const REFERENCE_VALUE = /^(arn:aws[a-z-]*:(secretsmanager|ssm):|\{\{resolve:|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$)/;

/** The entries of a map that hold a credential, each with the rule that matched; never a value. */
export function findCredentialEntries(source: string, map: Record<string, string> | undefined): CredentialEntry[] {
  const entries: CredentialEntry[] = [];
  for (const [key, value] of Object.entries(map ?? {})) {
    const patterns = scanForCredentials(value);
    if (patterns.length > 0) {
      for (const rule of patterns) entries.push({ source, key, rule });
      continue;
    }
    const literal = value.trim().length > 0 && !REFERENCE_VALUE.test(value.trim());
    if (literal && namesSecret(key)) entries.push({ source, key, rule: SECRET_NAMED_KEY_RULE });
  }
  return entries;
}
