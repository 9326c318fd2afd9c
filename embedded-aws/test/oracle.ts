import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseErrorXml } from './helpers.js';

/** Responses recorded from real Amazon S3 (see fixtures/aws-oracle/README.md). */
const recorded = JSON.parse(
  readFileSync(new URL('./fixtures/aws-oracle/s3-recorded-responses.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, { 'recorded-content': Record<string, unknown> }>>;

export function oracle(group: 's3_presigned_post' | 's3_write_preconditions', test: string, entry: string) {
  const content = recorded[group]?.[test]?.['recorded-content']?.[entry];
  if (!content) throw new Error(`no recorded response ${group}/${test}/${entry}`);
  return content as Record<string, unknown>;
}

/** S3's status for error codes whose recording kept no status (documented in the S3 error code list). */
const STATUS_BY_CODE: Record<string, number> = {
  AccessDenied: 403,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  InvalidPolicyDocument: 400,
  InvalidStorageClass: 400,
  PreconditionFailed: 412,
  SignatureDoesNotMatch: 403,
  InvalidArgument: 400,
  NoSuchKey: 404,
};

const VARYING = new Set(['RequestId', 'HostId']);

/**
 * Asserts that an S3 error answer matches the recorded one: status, Code, Message and every extra field.
 * Placeholders (`<...>`) and null mean "present, value varies"; request and host ids only need to exist.
 */
export function expectOracleError(
  response: { status: number; body: string },
  content: Record<string, unknown>,
) {
  const expected = content.Error as Record<string, unknown>;
  const statusRecorded =
    (content.StatusCode as number | undefined) ??
    ((content.ResponseMetadata as { HTTPStatusCode?: number } | undefined)?.HTTPStatusCode as
      | number
      | undefined);
  const actual = parseErrorXml(response.body);
  expect(actual.Code).toBe(expected.Code);
  expect(response.status).toBe(statusRecorded ?? STATUS_BY_CODE[String(expected.Code)]);
  for (const [field, value] of Object.entries(expected)) {
    if (VARYING.has(field)) {
      expect(actual[field], `${field} present`).toBeTruthy();
    } else if (value === null || (typeof value === 'string' && /^<[^>]+>$/.test(value))) {
      expect(actual, `${field} present`).toHaveProperty(field);
    } else {
      expect(actual[field], field).toBe(value);
    }
  }
}
