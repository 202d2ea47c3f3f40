/** The labels Secrets Manager itself gives meaning to; any other label is the caller's own. */
export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
export const AWSPENDING = 'AWSPENDING';

/** The emulator is one account; AWS's documentation uses this form of id for examples and local tools. */
export const ACCOUNT_ID = '000000000000';

export type SecretValue = { kind: 'string'; text: string } | { kind: 'binary'; base64: string };

export interface Tag {
  Key: string;
  Value: string;
}

export interface RotationRules {
  AutomaticallyAfterDays?: number;
  Duration?: string;
  ScheduleExpression?: string;
}

export interface SecretVersion {
  readonly id: string;
  /** Absent for the placeholder RotateSecret makes before the rotation function stores a value. */
  value?: SecretValue;
  /** Staging labels; a version without any is deprecated, but kept and listed on request. */
  stages: string[];
  readonly createdDate: Date;
  lastAccessedDate?: Date;
}

export interface Secret {
  readonly arn: string;
  readonly name: string;
  description?: string;
  /** Absent while the secret uses the AWS managed key, which AWS then leaves out of its answers. */
  kmsKeyId?: string;
  tags: Tag[];
  /** In creation order, keyed by version id (the ClientRequestToken that created it). */
  readonly versions: Map<string, SecretVersion>;
  readonly createdDate: Date;
  lastChangedDate: Date;
  lastAccessedDate?: Date;
  /** Absent until RotateSecret first configures rotation; AWS then omits the rotation fields. */
  rotation?: { enabled: boolean; lambdaArn?: string; rules?: RotationRules };
  lastRotatedDate?: Date;
  /** Set while the secret is scheduled for deletion: when it was asked for, and when it happens. */
  deletion?: { requested: Date; due: Date };
}
