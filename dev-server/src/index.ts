export { type BuildAppOptions, buildApp } from './app.js';
export { type DevServerConfig, generateApiKey, loadDevServerConfig, type UsagePlan } from './config.js';
export { type DevServer, type StartOptions, startDevServer } from './dev-server.js';
