import { lambdaHandler } from './runtime.js';

/** Lambda entry point of the process-accepted-file function. */
export const handler = lambdaHandler('processAcceptedFile', 'process-accepted-file');
