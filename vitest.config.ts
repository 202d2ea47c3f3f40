import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Every answer of the API any test receives is checked against the OpenAPI document.
    setupFiles: ['test/support/contract-check.ts'],
    // Integration tests share one DynamoDB Local (Java) and start local servers: give hooks room.
    hookTimeout: 60_000,
    testTimeout: 30_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POWERTOOLS_DEV: 'false',
      // DynamoDB Local on a shared 2-core machine answers in up to seconds where DynamoDB takes
      // milliseconds: a 1 s budget per call would back off from a healthy local service. The guard's
      // own tests set their budget; the benchmark measures the default.
      DEPENDENCY_CALL_TIMEOUT_SECONDS: '5',
      // The accuracy audit draws 2 % of fills for one more provider call: tests count calls, so it is
      // off; the tests of the audit turn it on (test/integration/accuracy*.test.ts).
      ACCURACY_AUDIT_SHARE: '0',
    },
  },
});
