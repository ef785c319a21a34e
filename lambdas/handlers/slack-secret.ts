import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { type AlertSender, webhookSender } from '../alerts/slack';

/** The webhook URL changes only when someone rotates the secret; re-read it at most every 5 minutes. */
const SECRET_CACHE_SECONDS = 300;

/** A Slack sender for the webhook URL a Secrets Manager secret holds. Errors name the secret, never its value. */
export async function webhookSenderFromSecret(secretArn: string): Promise<AlertSender> {
  const url = await getSecret(secretArn, { maxAge: SECRET_CACHE_SECONDS });
  if (typeof url !== 'string' || !url.startsWith('https://'))
    throw new Error(`secret ${secretArn} does not hold an https webhook URL`);
  return webhookSender(url);
}
