import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ValorIvxApp } from '../../infra/app.js';
import { PROJECT_ROOT } from '../../infra/constructs/data-function.js';
import { NAG_REASONS, type NagAcknowledgment, nagAcknowledgments } from '../../infra/nag.js';
import { ROUTES, type RouteDefinition } from '../../lib/api/routes.js';

/**
 * Runs the AwsSolutions pack over the app built WITHOUT its acknowledgments, so each acknowledgment
 * can be checked against the finding it accepts: none stale, none broader than the finding. No
 * synth and no bundling: the pack walks the construct tree.
 */
const OPERATOR_ROUTE: RouteDefinition = {
  id: 'TestOperatorStatus',
  method: 'GET',
  path: '/api/data/test-only/status',
  entry: 'functions/get-stock-quote.ts',
  auth: 'operator',
};

interface Finding {
  readonly rule: string;
  readonly path: string;
}

let outdir: string;
let raw: ValorIvxApp;
let findings: Finding[];
let acknowledgments: NagAcknowledgment[];

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'valor-ivx-nag-'));
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  raw = buildApp({
    outdir,
    routes: [...ROUTES, OPERATOR_ROUTE],
    acknowledgeNagFindings: false,
    // An empty bundling-stacks list skips esbuild: the findings do not depend on the bundle.
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] },
  });
  findings = new AwsSolutionsChecks()
    .validateScope(raw.app)
    .violations.flatMap((v) =>
      v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })),
    );
  acknowledgments = nagAcknowledgments(raw.dataStack, raw.apiStack);
}, 60_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function accepts(ack: NagAcknowledgment, finding: Finding): boolean {
  const scope = ack.scope.node.path;
  return ack.id === finding.rule && (finding.path === scope || finding.path.startsWith(`${scope}/`));
}

describe('cdk-nag acknowledgments', () => {
  it('accepts every AwsSolutions finding with an acknowledgment', () => {
    const unaccepted = findings.filter((finding) => !acknowledgments.some((ack) => accepts(ack, finding)));
    expect(unaccepted).toEqual([]);
  });

  it('matches every acknowledgment to a finding that really occurs', () => {
    const stale = acknowledgments
      .filter((ack) => !findings.some((finding) => accepts(ack, finding)))
      .map((ack) => `${ack.id} on ${ack.scope.node.path}`);
    expect(stale).toEqual([]);
  });

  it('gives every acknowledgment one of the documented reasons', () => {
    const reasons: readonly string[] = Object.values(NAG_REASONS);
    for (const ack of acknowledgments) {
      expect(reasons).toContain(ack.reason);
      expect(ack.reason.length).toBeGreaterThan(80);
    }
  });

  it('accepts the missing-authorizer finding on API-key routes only, since IAM routes have none', () => {
    const operatorMethod = raw.apiStack.methods.get(OPERATOR_ROUTE.id)?.node.path ?? 'missing';
    expect(
      findings.filter((f) => f.rule === 'AwsSolutions-APIG4' && f.path.startsWith(operatorMethod)),
    ).toEqual([]);
    const apiKeyAcks = acknowledgments.filter((ack) => ack.id === 'AwsSolutions-APIG4');
    expect(apiKeyAcks).toHaveLength(ROUTES.filter((route) => route.auth === 'client').length);
  });
});
