import { errorCode, errorMessage } from '../../../lambdas/aws/errors';

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
