export * from './client.js';
export { startEmbeddedTarget } from './embedded-target.js';
export type { Target, UsagePlanTarget } from './target.js';
