import { cleanMessage, errorCode, errorMessage } from '../../../lambdas/aws/errors';

describe('errorCode', () => {
  it('prefers the AWS error code, then the name', () => {
    expect(errorCode({ Code: 'AccessDenied', name: 'Error' })).toBe('AccessDenied');
    expect(errorCode(Object.assign(new Error('x'), { name: 'ThrottlingException' }))).toBe('ThrottlingException');
  });

  it('names an unparseable error body by its HTTP status', () => {
    const err = Object.assign(new SyntaxError('Unexpected token <'), { $metadata: { httpStatusCode: 500 } });
    expect(errorCode(err)).toBe('HTTP500');
  });

  it('has a stable stand-in for anything else', () => {
    expect(errorCode(new Error('plain'))).toBe('UnknownError');
    expect(errorCode('text')).toBe('UnknownError');
    expect(errorMessage('text')).toBe('text');
    expect(errorMessage({ name: 'MalformedPolicy', message: 'bucket policy is not valid JSON' })).toBe(
      'bucket policy is not valid JSON',
    );
  });
});

describe('errorMessage: one clean line, never SDK internals', () => {
  // What @smithy/core's deserializer middleware throws when a JSON body does not parse (an HTML
  // error page, or moto's 500 for an operation it lacks): the parser's SyntaxError, its message
  // extended with a hint about a hidden field, and the response status in $metadata.
  const unparsed = () =>
    Object.assign(
      new SyntaxError(
        'Unexpected token \'<\', "<!DOCTYPE "... is not valid JSON\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
      ),
      { $metadata: { httpStatusCode: 500 } },
    );

  it('describes an unparseable answer by its HTTP status', () => {
    expect(errorCode(unparsed())).toBe('HTTP500');
    expect(errorMessage(unparsed())).toBe('answered HTTP 500 with a non-JSON body');
  });

  it('describes an unparseable XML answer without naming the parser', () => {
    const err = Object.assign(
      new Error(
        'Unclosed tag\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
      ),
      {
        $metadata: { httpStatusCode: 502 },
      },
    );
    expect(errorCode(err)).toBe('HTTP502');
    expect(errorMessage(err)).toBe('answered HTTP 502 with a body that is not a valid AWS response');
  });

  it('keeps a service exception as AWS worded it, on one line', () => {
    const err = Object.assign(new Error('User: arn:aws:iam::123456789012:user/x\n is not authorized'), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    expect(errorCode(err)).toBe('AccessDeniedException');
    expect(errorMessage(err)).toBe('User: arn:aws:iam::123456789012:user/x is not authorized');
  });

  it('strips the SDK hint from messages recorded before, and cuts very long ones', () => {
    expect(
      cleanMessage(
        'bad\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
      ),
    ).toBe('bad');
    expect(cleanMessage('x'.repeat(1000))).toHaveLength(300);
  });
});

describe('errorMessage masks access key ids', () => {
  it('shows only the last four characters of a key id an AWS message names', () => {
    const err = Object.assign(new Error('The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.'), {
      name: 'NoSuchEntity',
      $fault: 'client',
    });
    expect(errorMessage(err)).toBe('The Access Key with id ****MPLE cannot be found.');
  });
});
