import { lambdaHandler } from './runtime.js';

/** Lambda entry point of the issue-upload-url function. */
export const handler = lambdaHandler('issueUploadUrl', 'issue-upload-url');
