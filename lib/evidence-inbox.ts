import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { INBOX_ROOT, INTAKE_LOG_PREFIX, MANUAL_ROOT } from '../lambdas/evidence/layout';

import { BucketEventsToQueue } from './bucket-events-to-queue';
import { acknowledgeWildcardResource, errorAlarm, handlerFunction, retainedLogGroup, workQueue } from './function-parts';

export interface EvidenceInboxProps {
  /** New objects under inbox/ in this bucket are taken in; manual evidence is written to it. */
  evidenceBucket: Bucket;
  evidenceKey: IKey;
  /** SSM parameter holding the validated configuration as JSON. */
  configParameter: IStringParameter;
}

const FUNCTION_TIMEOUT = Duration.minutes(2);
/** A message that fails this often (S3 or KMS unavailable) waits in the dead-letter queue; the upload stays in the inbox. */
const MAX_RECEIVE_COUNT = 5;

/**
 * The evidence inbox: an S3 ObjectCreated notification for every object under inbox/, queued in
 * SQS with a dead-letter queue, runs a function that hashes the upload and writes it under
 * manual/ write-once (or rejects it), records the outcome under evidence/v1/inbox/ and tags the
 * upload with it. It may read and tag inbox objects and create objects under manual/ and its
 * intake log, nothing else: it cannot delete, overwrite or write anywhere else.
 */
export class EvidenceInbox extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly errorAlarm: Alarm;

  constructor(scope: Construct, id: string, props: EvidenceInboxProps) {
    super(scope, id);
    const { evidenceBucket, evidenceKey } = props;

    const logGroup = retainedLogGroup(this);
    const inboxObjects = evidenceBucket.arnForObjects(`${INBOX_ROOT}*`);
    const manualObjects = evidenceBucket.arnForObjects(`${MANUAL_ROOT}*`);
    const intakeObjects = evidenceBucket.arnForObjects(`${INTAKE_LOG_PREFIX}*`);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'soc2-ml-evidence inbox: reads and tags uploads, creates manual evidence and intake records',
      inlinePolicies: {
        read: new PolicyDocument({
          statements: [
            // Without ListBucket a missing key answers 403 instead of 404, and a replay check could not tell.
            new PolicyStatement({ actions: ['s3:ListBucket'], resources: [evidenceBucket.bucketArn] }),
            new PolicyStatement({
              actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging'],
              resources: [inboxObjects],
            }),
            new PolicyStatement({ actions: ['s3:GetObject'], resources: [manualObjects, intakeObjects] }),
            new PolicyStatement({ actions: ['kms:Decrypt'], resources: [evidenceKey.keyArn] }),
          ],
        }),
        write: new PolicyDocument({
          statements: [
            new PolicyStatement({ actions: ['s3:PutObjectTagging', 's3:PutObjectVersionTagging'], resources: [inboxObjects] }),
            new PolicyStatement({
              actions: ['s3:PutObject', 's3:PutObjectRetention'],
              resources: [manualObjects, intakeObjects],
            }),
            new PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [evidenceKey.keyArn] }),
            new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
          ],
        }),
      },
    });
    props.configParameter.grantRead(this.role);
    acknowledgeWildcardResource(this.role, inboxObjects, 'Uploaders choose the file names under inbox/<ITEM-ID>/.');
    acknowledgeWildcardResource(
      this.role,
      manualObjects,
      'Manual evidence keys are generated per upload under manual/; the bucket policy makes every write there a create.',
    );
    acknowledgeWildcardResource(
      this.role,
      intakeObjects,
      'Intake record keys are generated per upload under evidence/v1/inbox/.',
    );

    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = workQueue(this, {
      functionTimeout: FUNCTION_TIMEOUT,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    }));
    evidenceBucket.addEventNotification(EventType.OBJECT_CREATED, new BucketEventsToQueue(this.queue), { prefix: INBOX_ROOT });

    this.function = handlerFunction(this, {
      handlerFile: 'inbox.ts',
      description: 'soc2-ml-evidence: takes uploads under inbox/ in as manual evidence',
      role: this.role,
      logGroup,
      // Uploads are read whole to be hashed: MAX_INBOX_FILE_BYTES (25 MiB) with room to spare.
      memorySize: 512,
      timeout: FUNCTION_TIMEOUT,
      serviceName: 'soc2-ml-inbox',
      environment: {
        EVIDENCE_BUCKET: evidenceBucket.bucketName,
        EVIDENCE_KMS_KEY_ARN: evidenceKey.keyArn,
        CONFIG_PARAMETER: props.configParameter.parameterName,
      },
    });
    this.function.addEventSource(new SqsEventSource(this.queue, { batchSize: 5, reportBatchItemFailures: true }));

    this.errorAlarm = errorAlarm(this, this.function, 'soc2-ml-evidence inbox failed; uploads wait in inbox/ and the queue');
  }
}
