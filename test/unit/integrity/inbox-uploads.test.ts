import { inboxUploads, intakeId } from '../../../lambdas/integrity/inbox';

/**
 * Records in the shape of "Event message structure",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
function record(eventName: string, key: string, extra: Record<string, unknown> = {}) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: '2026-11-30T08:59:58.120Z',
    eventName,
    userIdentity: { principalId: 'AWS:AROAEXAMPLEID:alice' },
    requestParameters: { sourceIPAddress: '198.51.100.4' },
    s3: { s3SchemaVersion: '1.0', bucket: { name: 'b', arn: 'arn:aws:s3:::b' }, object: { key, sequencer: '0A1B', ...extra } },
  };
}

describe('inboxUploads', () => {
  it('decodes keys, keeps uploader, version and size, and leaves out other prefixes and removals', () => {
    // Act
    const uploads = inboxUploads({
      Records: [
        record('ObjectCreated:Put', 'inbox/SEC-AM-5/Q3+review%28final%29.pdf', { size: 12, eTag: 'abc', versionId: 'v1' }),
        record('ObjectCreated:CompleteMultipartUpload', 'evidence/v1/x.json.gz', { size: 3 }),
        record('ObjectRemoved:DeleteMarkerCreated', 'inbox/SEC-AM-5/old.pdf'),
      ],
    });
    // Assess
    expect(uploads).toEqual([
      {
        key: 'inbox/SEC-AM-5/Q3 review(final).pdf',
        versionId: 'v1',
        size: 12,
        eTag: 'abc',
        uploader: 'AWS:AROAEXAMPLEID:alice',
        uploadedAt: '2026-11-30T08:59:58.120Z',
        sourceIp: '198.51.100.4',
      },
    ]);
  });

  it('finds nothing in the test event S3 sends when the notification is configured', () => {
    expect(
      inboxUploads({
        Service: 'Amazon S3',
        Event: 's3:TestEvent',
        Time: '2026-11-30T08:00:00.000Z',
        Bucket: 'b',
        RequestId: 'r',
      }),
    ).toEqual([]);
  });

  it('refuses a body that is not an S3 notification', () => {
    expect(() => inboxUploads({ Records: [{ eventName: 'ObjectCreated:Put' }] })).toThrow('not an S3 event notification');
  });

  it('gives each object version its own intake id, and the same version the same id', () => {
    const a = intakeId({ key: 'inbox/X/f', versionId: 'v1', eTag: 'e' });
    expect(intakeId({ key: 'inbox/X/f', versionId: 'v1', eTag: 'e' })).toBe(a);
    expect(intakeId({ key: 'inbox/X/f', versionId: 'v2', eTag: 'e' })).not.toBe(a);
  });
});
