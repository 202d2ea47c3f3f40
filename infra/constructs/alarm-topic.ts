import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { AlarmNotification } from '../stacks/deploy-settings.js';

const CLOUDWATCH = new ServicePrincipal('cloudwatch.amazonaws.com');

/** Properties of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Who is told: the address is subscribed (AWS mails a confirmation link first). */
  readonly email: string;
}

/**
 * The SNS topic every alarm of the data layer notifies, encrypted with a key of its own. CloudWatch
 * cannot publish to a topic encrypted with the AWS-managed SNS key, so the key is customer managed
 * and lets CloudWatch (and nothing else outside the account's IAM) encrypt with it; the topic accepts
 * only TLS and only this account's alarms.
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new Key(this, 'Key', {
      description: 'Valor IVX data layer: encrypts the alarm notification topic',
      enableKeyRotation: true,
      // It encrypts notifications in flight only, nothing kept: it goes with the topic.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // As AWS documents for alarms on an encrypted topic; the key encrypts alarm notices only.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [CLOUDWATCH],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      displayName: 'Valor IVX data layer alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    // Only alarms of this account may publish (the confused-deputy conditions AWS documents).
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [CLOUDWATCH],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    this.topic.addSubscription(new EmailSubscription(props.email));
  }
}

/**
 * The topic alarms notify, per the deploy context: a new {@link AlarmTopic} for an email address, the
 * operator's own topic for an ARN (its policy must let CloudWatch publish, and its key, if any, let
 * CloudWatch encrypt), or none.
 */
export function alarmTopicFor(scope: Construct, notification: AlarmNotification): ITopic | undefined {
  switch (notification.kind) {
    case 'email':
      return new AlarmTopic(scope, 'AlarmTopic', { email: notification.email }).topic;
    case 'topic':
      return Topic.fromTopicArn(scope, 'AlarmTopic', notification.topicArn);
    case 'none':
      return undefined;
  }
}
