import { Match, type Template } from 'aws-cdk-lib/assertions';

/** Reading synthesised templates: the shapes and lookups the infra tests share. */

export interface PolicyStatementJson {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, unknown>;
  Sid?: string;
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

export function logicalIdOf(template: Template, type: string, props: Record<string, unknown>): string {
  const found = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** CDK's own deploy-time function that writes the bucket notification configuration, and its role. */
const isBucketNotificationsHandler = (logicalId: string) => logicalId.startsWith('BucketNotificationsHandler');

/**
 * Every statement of every IAM policy in the template: managed, standalone and role inline;
 * optionally without the policies of CDK's bucket-notification custom resource.
 */
export function allIamStatements(
  template: Template,
  options: { exceptDeployTimeHandlers?: boolean } = {},
): PolicyStatementJson[] {
  const excluded = (roles: { Ref?: string }[] | undefined) =>
    options.exceptDeployTimeHandlers === true && (roles ?? []).some((role) => isBucketNotificationsHandler(role.Ref ?? ''));
  const standalone = Object.values({
    ...template.findResources('AWS::IAM::Policy'),
    ...template.findResources('AWS::IAM::ManagedPolicy'),
  })
    .filter((policy) => !excluded(policy.Properties.Roles))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
  const inline = Object.entries(template.findResources('AWS::IAM::Role'))
    .filter(([id]) => !excluded([{ Ref: id }]))
    .flatMap(([, role]) =>
      ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: PolicyStatementJson[] } }[]).flatMap(
        (policy) => policy.PolicyDocument.Statement,
      ),
    );
  return [...standalone, ...inline];
}

/** Object ARNs of a statement, as "<bucket logical id>/<key pattern>". */
export function objectPatterns(statement: PolicyStatementJson): string[] {
  return asArray(statement.Resource).map((r) => {
    const [bucketRef, suffix] = (r as { 'Fn::Join': [string, [{ 'Fn::GetAtt': [string] }, string]] })['Fn::Join'][1];
    return `${bucketRef['Fn::GetAtt'][0]}${suffix}`;
  });
}

/**
 * Objects created under the prefix notify the queue, and the queue's policy admits S3 only for
 * this bucket in this account (account: the literal id, or the AWS::AccountId reference).
 */
export function expectBucketNotifiesQueue(
  template: Template,
  notification: { bucketId: string; queueId: string; prefix: string; account: unknown },
): void {
  const { bucketId, queueId, prefix, account } = notification;
  template.hasResourceProperties('Custom::S3BucketNotifications', {
    BucketName: { Ref: bucketId },
    NotificationConfiguration: {
      QueueConfigurations: Match.arrayWith([
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } },
          QueueArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        },
      ]),
    },
  });
  template.hasResourceProperties('AWS::SQS::QueuePolicy', {
    Queues: [{ Ref: queueId }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Principal: { Service: 's3.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: {
            ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } },
            StringEquals: { 'aws:SourceAccount': account },
          },
        }),
      ]),
    },
  });
}
