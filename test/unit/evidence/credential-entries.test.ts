import { findCredentialEntries, namesSecret, SECRET_NAMED_KEY_RULE } from '../../../lambdas/evidence/credential-entries';
import { maskAccessKeyId, maskAccessKeyIds } from '../../../lambdas/evidence/mask';

describe('namesSecret: the checklist rule for a key that names a secret', () => {
  it.each([
    'password',
    'DB_PASSWORD',
    'dbPasswd',
    'client_secret',
    'HF_TOKEN',
    'githubToken',
    'api_key',
    'apiKey',
    'APIKEY',
    'private_key',
    'GCP_CREDENTIALS',
  ])('counts %s', (key) => expect(namesSecret(key)).toBe(true));

  it.each([
    // Language-model hyper-parameters that only mention tokens.
    'max_tokens',
    'max_new_tokens',
    'tokenizer_name',
    'token_limit',
    'eos_token',
    'pad_token',
    'max_token',
    // Keys that say where a secret is kept, not the secret.
    'DB_SECRET_ARN',
    'password_file',
    'TOKEN_URL',
    'secret_name',
    // Ordinary keys.
    'learning_rate',
    'key',
    'kms_key',
  ])('does not count %s', (key) => expect(namesSecret(key)).toBe(false));
});

describe('findCredentialEntries', () => {
  it('names the key and rule, never the value', () => {
    const entries = findCredentialEntries('environment', {
      DB_PASSWORD: 'hunter2-literal',
      UPLOAD_TARGET: 'AKIAIOSFODNN7EXAMPLE',
      LOG_LEVEL: 'info',
    });
    expect(entries).toEqual([
      { source: 'environment', key: 'DB_PASSWORD', rule: SECRET_NAMED_KEY_RULE },
      { source: 'environment', key: 'UPLOAD_TARGET', rule: 'aws-access-key-id' },
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/hunter2|AKIAIOSFODNN7EXAMPLE/);
  });

  it('does not flag empty values or references to where a secret is kept', () => {
    expect(
      findCredentialEntries('hyperParameters', {
        api_key: '',
        hf_token: '$HF_TOKEN',
        db_password: '{{resolve:secretsmanager:prod/db:SecretString:password}}',
        service_token: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:svc-token-AbCdEf',
      }),
    ).toEqual([]);
  });

  it('is empty for an absent map', () => {
    expect(findCredentialEntries('environment', undefined)).toEqual([]);
  });
});

describe('access key masking', () => {
  it('keeps the last four characters', () => {
    expect(maskAccessKeyId('AKIAIOSFODNN7EXAMPLE')).toBe('****MPLE');
  });

  it('masks long-term and temporary key ids inside text', () => {
    expect(maskAccessKeyIds('The Access Key with id AKIAIOSFODNN7EXAMPLE or ASIAIOSFODNN7EXAMPLF cannot be found')).toBe(
      'The Access Key with id ****MPLE or ****MPLF cannot be found',
    );
  });
});
