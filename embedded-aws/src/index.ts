export type { ChaosOptions, EventFilter, EventHandler, S3Event, S3EventRecord } from './s3/events.js';
export { encodeEventKey } from './s3/events.js';
export type { InProcessRequestHandler } from './sdk-transport.js';
export { type EmbeddedAws, type StartOptions, start } from './server.js';
