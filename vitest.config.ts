import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['embedded-aws', 'services', 'dev-server', 'integration-tests', 'infra', 'client'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
