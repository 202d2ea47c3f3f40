import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * Who made an operator request, for the audit trail of overrides: the IAM caller on AWS (routes
 * with IAM authorization carry it), `local-operator` behind the local gateway.
 */
export function operatorIdentity(event: APIGatewayProxyEvent): string {
  const identity = event.requestContext.identity;
  return identity.userArn ?? identity.caller ?? (identity.apiKeyId ? 'local-operator' : 'unknown');
}
