export { type BuildAppOptions, buildApp } from './app.js';
export { type DevServerConfig, generateApiKey, loadDevServerConfig, type UsagePlan } from './config.js';
export { type DevServer, type StartOptions, startDevServer } from './dev-server.js';
export {
  type LocalStackDevServer,
  type LocalStackStartOptions,
  startLocalStackDevServer,
} from './localstack-dev-server.js';
export { parseS3Event } from './sqs-events.js';
