/**
 * S3's error model: a code, an HTTP status, a message and the extra fields S3 adds to the XML body
 * (`ArgumentName`, `Condition`, `MaxSizeAllowed`, ...). Thrown anywhere inside a request and written once
 * by the router.
 */
export type ErrorFields = Record<string, string | number | null | undefined>;

export class S3Error extends Error {
  readonly code: string;
  readonly status: number;
  readonly fields: ErrorFields;
  /** Extra response headers, e.g. `x-amz-delete-marker` on a 404 for a deleted key. */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    fields: ErrorFields = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'S3Error';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.headers = headers;
  }
}

const PRECONDITION_MESSAGE = 'At least one of the pre-conditions you specified did not hold';

export const errors = {
  accessDenied: (message = 'Access Denied', fields: ErrorFields = {}) =>
    new S3Error(403, 'AccessDenied', message, fields),
  policyFailed: (condition: unknown) =>
    new S3Error(
      403,
      'AccessDenied',
      `Invalid according to Policy: Policy Condition failed: ${formatCondition(condition)}`,
    ),
  invalidArgument: (message: string, argumentName: string, argumentValue: string | null = null) =>
    new S3Error(400, 'InvalidArgument', message, {
      ArgumentName: argumentName,
      ArgumentValue: argumentValue,
    }),
  invalidRequest: (message: string) => new S3Error(400, 'InvalidRequest', message),
  malformedXml: () =>
    new S3Error(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    ),
  noSuchBucket: (bucket: string) =>
    new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket }),
  noSuchKey: (key: string, headers: Record<string, string> = {}) =>
    new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key }, headers),
  noSuchVersion: (key: string, versionId: string) =>
    new S3Error(404, 'NoSuchVersion', 'The specified version does not exist.', {
      Key: key,
      VersionId: versionId,
    }),
  noSuchUpload: (uploadId: string) =>
    new S3Error(
      404,
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      { UploadId: uploadId },
    ),
  preconditionFailed: (condition: string) =>
    new S3Error(412, 'PreconditionFailed', PRECONDITION_MESSAGE, { Condition: condition }),
  conditionalConflict: (condition: string, key: string) =>
    new S3Error(
      409,
      'ConditionalRequestConflict',
      'The conditional request cannot succeed due to a conflicting operation against this resource.',
      { Condition: condition, Key: key },
    ),
  notImplementedHeader: (header: string, additionalMessage: string) =>
    new S3Error(
      501,
      'NotImplemented',
      'A header you provided implies functionality that is not implemented',
      {
        Header: header,
        additionalMessage,
      },
    ),
  notImplemented: (what: string) =>
    new S3Error(501, 'NotImplemented', `${what} is not implemented by this endpoint.`),
  badDigest: (message = 'The Content-MD5 you specified did not match what we received.') =>
    new S3Error(400, 'BadDigest', message),
  incompleteBody: () =>
    new S3Error(
      400,
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
    ),
  entityTooLarge: (max: number, proposed: number) =>
    new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
      MaxSizeAllowed: String(max),
      ProposedSize: String(proposed),
    }),
  entityTooSmall: (min: number, proposed: number) =>
    new S3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
      MinSizeAllowed: String(min),
      ProposedSize: String(proposed),
    }),
  invalidRange: (size: number, range: string) =>
    new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', {
      ActualObjectSize: String(size),
      RangeRequested: range,
    }),
  methodNotAllowed: (method: string, resource: string, headers: Record<string, string> = {}) =>
    new S3Error(
      405,
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
      { Method: method, ResourceType: resource },
      headers,
    ),
  internal: () => new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.'),
};

/** S3 quotes a failed policy condition as JSON with `", "` between items, e.g. `["eq", "$key", "a"]`. */
export function formatCondition(condition: unknown): string {
  if (Array.isArray(condition)) return `[${condition.map((item) => JSON.stringify(item)).join(', ')}]`;
  if (condition && typeof condition === 'object') {
    const [name, value] = Object.entries(condition)[0] ?? ['', ''];
    return `["eq", ${JSON.stringify(`$${name}`)}, ${JSON.stringify(value)}]`;
  }
  return JSON.stringify(condition);
}
