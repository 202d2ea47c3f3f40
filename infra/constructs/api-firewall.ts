import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { PROBLEMS, problemTypeUri } from '../../lib/api/problems.js';
import { WAF_RATE_WINDOW_SECONDS } from '../stacks/deploy-settings.js';

/** The web ACL's name, which is also its CloudWatch metric name (the `WebACL` dimension of AWS/WAFV2). */
export const WEB_ACL_NAME = 'valor-ivx-data-api';

/** The rules, in evaluation order; each name is also the rule's metric name. */
export const FIREWALL_RULES = {
  rateLimit: 'RateLimitPerIp',
  knownBadInputs: 'AWSManagedRulesKnownBadInputsRuleSet',
  common: 'AWSManagedRulesCommonRuleSet',
} as const;

const TOO_MANY_REQUESTS_BODY = 'TooManyRequests';

/** Properties of {@link ApiFirewall}. */
export interface ApiFirewallProps {
  /** The REST API stage the web ACL guards. */
  readonly stage: Stage;
  /** Requests one client IP may send per {@link WAF_RATE_WINDOW_SECONDS} before it is blocked. */
  readonly rateLimitPerIp: number;
}

/**
 * A regional WAF web ACL in front of the API stage, evaluated before API Gateway checks any key:
 * a per-IP rate limit (answered 429 with a problem document, so clients back off as from the usage
 * plan), then AWS's managed rule groups for known-bad inputs (Log4Shell-style payloads, exploit
 * paths) and the common rule set (oversized bodies and query strings, XSS, path traversal, requests
 * without a User-Agent). Everything else is allowed on to API Gateway.
 */
export class ApiFirewall extends Construct {
  readonly webAcl: CfnWebACL;
  readonly association: CfnWebACLAssociation;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const managed = (name: string, priority: number): CfnWebACL.RuleProperty => ({
      name,
      priority,
      // The group's own actions (block) apply; `count` here would only observe.
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: WEB_ACL_NAME,
      description: 'Valor IVX data layer: per-IP rate limit and AWS managed rules in front of the REST API',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(WEB_ACL_NAME),
      customResponseBodies: {
        [TOO_MANY_REQUESTS_BODY]: {
          // WAF cannot send application/problem+json (nor set Content-Type); the body is the problem.
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            type: problemTypeUri('tooManyRequests'),
            title: PROBLEMS.tooManyRequests.title,
            status: PROBLEMS.tooManyRequests.status,
            detail: 'Too many requests from this address; retry after a short wait.',
          }),
        },
      },
      rules: [
        {
          name: FIREWALL_RULES.rateLimit,
          priority: 0,
          action: {
            block: {
              customResponse: {
                responseCode: PROBLEMS.tooManyRequests.status,
                customResponseBodyKey: TOO_MANY_REQUESTS_BODY,
              },
            },
          },
          // The client's own address: on an edge-optimized API, API Gateway hands WAF the CloudFront
          // viewer's IP, not the edge's, so no forwarded-IP header is needed (or trusted).
          statement: {
            rateBasedStatement: {
              limit: props.rateLimitPerIp,
              aggregateKeyType: 'IP',
              evaluationWindowSec: WAF_RATE_WINDOW_SECONDS,
            },
          },
          visibilityConfig: visibility(FIREWALL_RULES.rateLimit),
        },
        managed(FIREWALL_RULES.knownBadInputs, 1),
        managed(FIREWALL_RULES.common, 2),
      ],
    });

    this.association = new CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
