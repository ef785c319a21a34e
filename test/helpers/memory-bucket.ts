import { createHash } from 'node:crypto';
import type { S3ClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-s3';
import * as s3Sdk from '@aws-sdk/client-s3';
import type { AwsStub } from 'aws-sdk-client-mock';

const s3Error = (name: string, message: string, status: number) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

/**
 * Answers PutObject (honouring If-None-Match: * and If-Match with an MD5 ETag, as S3 without SSE-KMS), GetObject and ListObjectsV2 of a mocked S3
 * client from an in-memory bucket, so a handler's S3EvidenceStore runs unchanged. `sdk` is the
 * module the code under test loaded (a jest.isolateModules registry loads its own classes).
 */
export function serveBucketFromMemory(
  s3: AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>,
  sdk: Pick<typeof s3Sdk, 'GetObjectCommand' | 'ListObjectsV2Command' | 'PutObjectCommand'> = s3Sdk,
): Map<string, Uint8Array> {
  const objects = new Map<string, Uint8Array>();
  const etag = (body: Uint8Array) => `"${createHash('md5').update(body).digest('hex')}"`;
  s3.on(sdk.PutObjectCommand).callsFake((input) => {
    const key = input.Key as string;
    const existing = objects.get(key);
    if (input.IfNoneMatch === '*' && existing)
      throw s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
    if (input.IfMatch !== undefined && !existing) throw s3Error('NoSuchKey', 'The specified key does not exist.', 404);
    if (input.IfMatch !== undefined && existing && etag(existing) !== input.IfMatch)
      throw s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
    const body = input.Body as Uint8Array;
    objects.set(key, body);
    return { VersionId: `v${objects.size}`, ETag: etag(body) };
  });
  s3.on(sdk.GetObjectCommand).callsFake((input) => {
    const body = objects.get(input.Key as string);
    if (!body) throw s3Error('NoSuchKey', 'The specified key does not exist.', 404);
    return { Body: { transformToByteArray: async () => body }, ETag: etag(body) };
  });
  s3.on(sdk.ListObjectsV2Command).callsFake((input) => {
    const prefix = input.Prefix ?? '';
    const keys = [...objects.keys()].filter((key) => key.startsWith(prefix)).sort();
    // With a Delimiter, S3 rolls keys that hold it after the prefix up into CommonPrefixes
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
    const rolledUp = (key: string) => input.Delimiter !== undefined && key.indexOf(input.Delimiter, prefix.length) >= 0;
    const common = [
      ...new Set(keys.filter(rolledUp).map((key) => key.slice(0, key.indexOf(input.Delimiter!, prefix.length) + 1))),
    ];
    return {
      Contents: keys
        .filter((key) => !rolledUp(key))
        .map((key) => ({ Key: key, Size: objects.get(key)?.byteLength ?? 0, LastModified: new Date(0) })),
      ...(common.length > 0 ? { CommonPrefixes: common.map((Prefix) => ({ Prefix })) } : {}),
    };
  });
  return objects;
}
