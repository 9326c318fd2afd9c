import { lambdaHandler } from './runtime.js';

/** Lambda entry point of the accept-first-upload function. */
export const handler = lambdaHandler('acceptFirstUpload', 'accept-first-upload');
