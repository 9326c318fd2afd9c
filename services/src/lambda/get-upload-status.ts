import { lambdaHandler } from './runtime.js';

/** Lambda entry point of the get-upload-status function. */
export const handler = lambdaHandler('getUploadStatus', 'get-upload-status');
