import { CfnOutput, RemovalPolicy, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { EMPTY_KEY_POOL, keyPoolSecretName } from '../../lib/keys/secrets-layout.js';
import { PROVIDER_IDS, type ProviderId } from '../../lib/model/provider-ids.js';
import { DATA_TABLE } from '../../lib/storage/table-definition.js';
import { alarmTopicFor } from '../constructs/alarm-topic.js';
import { KeyRotation } from '../constructs/key-rotation.js';
import { RunbookAlarms } from '../constructs/runbook-alarms.js';
import { readAlarmNotification, readKeyRotationDays } from './deploy-settings.js';

/** Properties of the {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** Keep the table, key and secrets when the stack is deleted (production); `false` for dev teardown. */
  readonly retain: boolean;
}

/**
 * The stateful half of the data layer: the DynamoDB table (cache, breakers, rate windows, usage)
 * and the provider key pools in Secrets Manager with their customer-managed KMS key. Kept apart
 * from the functions and the API so those can be replaced freely without touching data.
 */
export class DataStack extends Stack {
  /** The single table every function reads and writes. */
  readonly table: Table;
  /** Encrypts the key-pool secrets; callers need `kms:Decrypt` on it to read a pool. */
  readonly keyPoolKey: Key;
  /** One key-pool secret per provider, by provider id. */
  readonly keyPoolSecrets: ReadonlyMap<ProviderId, Secret>;
  /** Rotates every key pool on a schedule (`-c keyRotationDays=N`, 30 by default), with its alarms. */
  readonly keyRotation: KeyRotation;
  /**
   * Where every alarm of the app notifies (`-c alarmEmail` or `-c alarmTopicArn`), or none. Here, in
   * the stateful stack: an email subscription, once confirmed, is state worth keeping across
   * redeploys of the API stack, and the rotation alarms live here too.
   */
  readonly alarmTopic: ITopic | undefined;
  /** This stack's alarms (the rotation ones). */
  readonly alarms: RunbookAlarms;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.alarmTopic = alarmTopicFor(this, readAlarmNotification(this.node));
    this.alarms = new RunbookAlarms(this.alarmTopic);

    // No fixed table name: CloudFormation generates one, so a retained table never blocks a
    // redeploy and two stages can share an account. Functions learn the name from DATA_TABLE_ENV.
    this.table = new Table(this, 'DataTable', {
      partitionKey: { name: DATA_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: DATA_TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: DATA_TABLE.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy,
    });

    this.keyPoolKey = new Key(this, 'KeyPoolKey', {
      description: 'Valor IVX data layer: encrypts the provider API key pools in Secrets Manager',
      enableKeyRotation: true,
      removalPolicy,
    });

    const secrets = new Map<ProviderId, Secret>();
    for (const provider of PROVIDER_IDS) {
      const secret = new Secret(this, `KeyPool${pascalCase(provider)}`, {
        secretName: keyPoolSecretName(provider),
        description: `Valor IVX data layer: API key pool of ${provider} (seeded by operators after deploy)`,
        encryptionKey: this.keyPoolKey,
        // The empty pool holds no secret, so plain text in the template is safe. Real keys are put
        // with `aws secretsmanager put-secret-value` after deploy and never pass through CDK.
        secretStringValue: SecretValue.unsafePlainText(JSON.stringify(EMPTY_KEY_POOL)),
        removalPolicy,
      });
      secrets.set(provider, secret);
      new CfnOutput(this, `KeyPoolSecretArn${pascalCase(provider)}`, {
        description: `ARN of the ${provider} key-pool secret`,
        value: secret.secretArn,
      });
    }
    this.keyPoolSecrets = secrets;
    // Here, not in the API stack: the schedules and the KMS grant belong to the secrets, and a
    // function in the API stack would make each stack depend on the other.
    this.keyRotation = new KeyRotation(this, 'KeyRotation', {
      secrets,
      rotationDays: readKeyRotationDays(this.node),
      logRemovalPolicy: removalPolicy,
      alarms: this.alarms,
    });

    new CfnOutput(this, 'DataTableName', {
      description: 'Name of the data table',
      value: this.table.tableName,
    });
  }
}

/** `twelve-data` → `TwelveData`: construct ids and output names allow letters and digits only. */
function pascalCase(id: string): string {
  return id
    .split(/[^a-zA-Z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
