import {
  isSecretKey,
  keyWords,
  REDACTED,
  redactSecrets,
  redactTags,
  redactValues,
  scanForCredentials,
} from '../../../lambdas/evidence/redact';

describe('redactValues', () => {
  it('keeps the keys and drops every value', () => {
    // Prepare
    const environment = { DB_HOST: 'db.internal', LEARNING_RATE: '0.1' };

    // Act
    const redacted = redactValues(environment);

    // Assess
    expect(redacted).toEqual({ DB_HOST: REDACTED, LEARNING_RATE: REDACTED });
  });

  it('answers an empty map for a missing one', () => {
    expect(redactValues(undefined)).toEqual({});
  });
});

describe('redactTags', () => {
  it('drops the value of a tag whose key names a secret and keeps every other tag as written', () => {
    expect(
      redactTags({ api_key: 'sk-live-1', 'db-password': 'hunter2', DataClassification: 'internal', SecretArn: 'arn:x' }),
    ).toEqual({ api_key: REDACTED, 'db-password': REDACTED, DataClassification: 'internal', SecretArn: 'arn:x' });
  });
});

describe('keyWords', () => {
  it.each([
    ['KmsKeyId', ['kms', 'key', 'id']],
    ['AWS_SECRET_ACCESS_KEY', ['aws', 'secret', 'access', 'key']],
    ['APIKey', ['api', 'key']],
    ['db-password', ['db', 'password']],
  ])('splits %s', (key, words) => {
    expect(keyWords(key)).toEqual(words);
  });
});

describe('isSecretKey', () => {
  it.each([
    'password',
    'DB_PASSWORD',
    'dbPasswd',
    'clientSecret',
    'AWS_SECRET_ACCESS_KEY',
    'sessionToken',
    'api_key',
    'apikey',
    'ApiKey',
    'privateKey',
    'PRIVATE_KEY',
    'accessKey',
    'credentials',
    'auth',
    'Authorization',
    'pwd',
  ])('treats %s as secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([
    'KmsKeyId',
    'KeyId',
    'keyName',
    'key',
    'Key',
    'kmsKeys',
    'VolumeKmsKeyId',
    'SecretArn',
    'PasswordPolicy',
    'passwordEnabled',
    'tokenType',
    'author',
    'authMode',
    'S3Key',
    'partitionKey',
    'name',
  ])('keeps %s', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('redactSecrets', () => {
  it('replaces secret values at any depth and keeps everything else', () => {
    // Prepare
    const input = {
      name: 'job',
      kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc',
      nested: { deeper: [{ password: 'hunter2', keep: 'me' }], credentials: { user: 'u', pass: 'p' } },
      passwordEnabled: true,
      apiKey: null,
    };

    // Act
    const output = redactSecrets(input);

    // Assess
    expect(output).toEqual({
      name: 'job',
      kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc',
      nested: { deeper: [{ password: REDACTED, keep: 'me' }], credentials: REDACTED },
      passwordEnabled: true,
      apiKey: null,
    });
    expect(input.nested.deeper[0]?.password).toBe('hunter2');
  });

  it('never lets a planted secret value reach the JSON of the output', () => {
    // Prepare
    const planted = ['s3cr3t-value-1', 'xoxb-planted-token-value', 'AKIAPLANTEDEXAMPLE01', '42424242'];
    const input = {
      DB_PASSWORD: planted[0],
      config: { slackToken: planted[1], list: [{ AWS_ACCESS_KEY: planted[2] }] },
      pin: { secretNumber: 42424242 },
    };

    // Act
    const json = JSON.stringify(redactSecrets(input));

    // Assess
    for (const value of planted) expect(json).not.toContain(value);
  });
});

describe('scanForCredentials', () => {
  it.each([
    ['export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE', ['aws-access-key-id']],
    ['ASIAIOSFODNN7EXAMPLE is a session key', ['aws-access-key-id']],
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', ['aws-secret-access-key']],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIE...', ['private-key']],
    ['-----BEGIN OPENSSH PRIVATE KEY-----', ['private-key']],
    ['DB_PASSWORD="hunter2"', ['password-assignment']],
    ['curl -H token: abcdef', ['token-assignment']],
    ['API_KEY=abc123', ['token-assignment']],
    ['SLACK=xoxb-123456789012-abcdefghij', ['slack-token']],
    [`GH=ghp_${'a'.repeat(36)}`, ['github-token']],
  ])('finds %s', (text, names) => {
    expect(scanForCredentials(text)).toEqual(names);
  });

  it('ignores scripts that read credentials from variables or Secrets Manager', () => {
    // Prepare
    const script = [
      '#!/bin/bash',
      'set -e',
      'PASSWORD=$(aws secretsmanager get-secret-value --secret-id db --query SecretString --output text)',
      'password=$DB_PASSWORD',
      'cd $(pwd)',
      'pip install -r requirements.txt',
    ].join('\n');

    // Act
    const found = scanForCredentials(script);

    // Assess
    expect(found).toEqual([]);
  });

  it('returns only pattern names, never the matched text', () => {
    // Prepare
    const secret = 'AKIAIOSFODNN7EXAMPLE';

    // Act
    const found = scanForCredentials(`key=${secret}\npassword=hunter2`);

    // Assess
    expect(found).toEqual(['aws-access-key-id', 'password-assignment']);
    expect(JSON.stringify(found)).not.toContain(secret);
    expect(JSON.stringify(found)).not.toContain('hunter2');
  });
});
