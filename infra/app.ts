import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { App, Tags } from 'aws-cdk-lib';
import type { RouteDefinition } from '../lib/api/routes.js';
import { acknowledgeNagFindings, addNagChecks } from './nag.js';
import { ApiStack } from './stacks/api-stack.js';
import { DataStack } from './stacks/data-stack.js';
import { type DeploySettings, readDeploySettings } from './stacks/deploy-settings.js';

/** Options of {@link buildApp}; the CDK CLI passes none, tests pass an outdir of their own. */
export interface BuildAppOptions {
  /** Where the cloud assembly is written; default: where the CDK CLI says (`cdk.out`). */
  readonly outdir?: string;
  /** CDK context, as `-c name=value` would set it (e.g. `{ retain: 'false' }`). */
  readonly context?: Record<string, unknown>;
  /** Route table override; default: THE route table in `lib/api/routes.ts`. */
  readonly routes?: readonly RouteDefinition[];
  /**
   * Record the accepted cdk-nag findings (default true). Only the test that proves every
   * acknowledgment still matches a real finding turns this off.
   */
  readonly acknowledgeNagFindings?: boolean;
}

/** The app and its two stacks, for `cdk synth` and for the assertion tests. */
export interface ValorIvxApp {
  readonly app: App;
  readonly dataStack: DataStack;
  readonly apiStack: ApiStack;
  readonly settings: DeploySettings;
}

/**
 * Builds the data layer's CDK app: the stateful DataStack and the stateless ApiStack, checked by
 * cdk-nag. Environment-agnostic (no account or region), so synth runs offline without credentials;
 * the deploy target comes from the caller's AWS profile.
 */
export function buildApp(options: BuildAppOptions = {}): ValorIvxApp {
  const app = new App({
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
    ...(options.context === undefined ? {} : { context: options.context }),
  });
  const settings = readDeploySettings(app.node);

  const dataStack = new DataStack(app, 'ValorIvxData', {
    description: 'Valor IVX data layer: data table, provider key pools and their KMS key (stateful)',
    retain: settings.retain,
  });
  const apiStack = new ApiStack(app, 'ValorIvxApi', {
    description: 'Valor IVX data layer: REST API and one Lambda function per route (stateless)',
    table: dataStack.table,
    keyPoolSecrets: [...dataStack.keyPoolSecrets.values()],
    keyPoolKey: dataStack.keyPoolKey,
    settings,
    ...(options.routes === undefined ? {} : { routes: options.routes }),
    ...(dataStack.alarmTopic === undefined ? {} : { alarmTopic: dataStack.alarmTopic }),
    otherAlarmNames: dataStack.alarms.entries.map((entry) => entry.name),
  });
  Tags.of(app).add('project', 'valor-ivx-data-layer');

  addNagChecks(app);
  if (options.acknowledgeNagFindings ?? true) acknowledgeNagFindings(dataStack, apiStack);
  return { app, dataStack, apiStack, settings };
}

/** True when this module is the program (`tsx infra/app.ts`), false when a test imports it. */
function isMainModule(): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(realpathSync(script)).href === import.meta.url;
}

if (isMainModule()) {
  buildApp().app.synth();
}
