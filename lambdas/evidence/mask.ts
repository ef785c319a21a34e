/**
 * Access key ids as reports, alerts and messages show them: masked to the last four characters
 * ("****WXYZ"), enough for the owner to recognise the key, not enough to look it up. Evidence
 * keeps them whole: it is the record an auditor re-checks.
 */
export function maskAccessKeyId(accessKeyId: string): string {
  return `****${accessKeyId.slice(-4)}`;
}

/** Long-term (AKIA) and temporary (ASIA) access key ids, as AWS writes them. */
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{12}([A-Z0-9]{4})\b/g;

/** Masks every access key id inside free text (an AWS error message, a detail line). */
export function maskAccessKeyIds(text: string): string {
  return text.replace(ACCESS_KEY_ID, (_id, lastFour: string) => `****${lastFour}`);
}
