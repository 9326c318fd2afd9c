import { createHmac } from 'node:crypto';
import {
  type Credentials,
  hexBytes,
  hmacHex,
  lookupSecret,
  parseCredential,
  safeEqual,
  signingKey,
} from './auth.js';
import { errors, S3Error } from './errors.js';

/**
 * The rules S3 applies to a browser-based upload (POST Object) before it accepts the file: required
 * fields, the signature over the policy (SigV4, or SigV2 for old clients), the policy's expiration and its
 * conditions, and that every form field is covered by a condition. Pure: the caller gives the fields (in
 * the order they arrived, without the file), the bucket and the time.
 */
export type FormFields = [name: string, value: string][];

export interface PostAuthorization {
  accessKeyId: string;
  /** `content-length-range`, checked once the file size is known. */
  minLength: number;
  maxLength: number;
}

const V4_FIELDS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Signature', 'Policy'];
const V2_FIELDS = ['AWSAccessKeyId', 'Signature', 'Policy'];
/** Fields that need no condition in the policy. */
const UNCONDITIONED = new Set(['x-amz-signature', 'signature', 'awsaccesskeyid', 'file', 'policy']);

function missingField(name: string): S3Error {
  return errors.invalidArgument(
    `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
    name,
    null,
  );
}

function invalidPolicy(detail: string): S3Error {
  return new S3Error(400, 'InvalidPolicyDocument', `Invalid Policy: ${detail}`);
}

/** First value of a field, matching its name without regard to case (S3 does the same). */
export function formValue(fields: FormFields, name: string): string | undefined {
  const lower = name.toLowerCase();
  return fields.find(([n]) => n.toLowerCase() === lower)?.[1];
}

function verifySignature(fields: FormFields, credentials: Credentials): string {
  const get = (name: string) => formValue(fields, name);
  const has = (name: string) => get(name) !== undefined;
  const isV4 = V4_FIELDS.slice(0, 4).some(has);
  const isV2 = !isV4 && (has('AWSAccessKeyId') || has('Signature'));
  if (!isV4 && !isV2) {
    // No signature at all: an anonymous upload, and the bucket is private.
    throw errors.accessDenied();
  }
  for (const name of isV4 ? V4_FIELDS : V2_FIELDS) if (!has(name)) throw missingField(name);
  const policy = get('Policy') ?? '';

  if (isV2) {
    const accessKeyId = get('AWSAccessKeyId') ?? '';
    const secret = lookupSecret(credentials, accessKeyId);
    const provided = get('Signature') ?? '';
    const expected = createHmac('sha1', secret).update(policy, 'utf8').digest('base64');
    if (!safeEqual(expected, provided)) throw signatureMismatch(accessKeyId, provided, policy);
    return accessKeyId;
  }

  const algorithm = get('X-Amz-Algorithm');
  if (algorithm !== 'AWS4-HMAC-SHA256') {
    throw errors.invalidArgument('Unsupported algorithm', 'X-Amz-Algorithm', algorithm ?? null);
  }
  const credential = parseCredential(get('X-Amz-Credential') ?? '', 'X-Amz-Credential');
  const secret = lookupSecret(credentials, credential.accessKeyId);
  const provided = get('X-Amz-Signature') ?? '';
  const key = signingKey(secret, credential.shortDate, credential.region, credential.service);
  if (!safeEqual(hmacHex(key, policy), provided))
    throw signatureMismatch(credential.accessKeyId, provided, policy);
  return credential.accessKeyId;
}

function signatureMismatch(accessKeyId: string, provided: string, policy: string): S3Error {
  return new S3Error(
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    {
      AWSAccessKeyId: accessKeyId,
      StringToSign: policy,
      SignatureProvided: provided,
      StringToSignBytes: hexBytes(policy),
    },
  );
}

function decodePolicy(policy: string): { expiration: unknown; conditions: unknown } {
  let decoded: unknown;
  try {
    const text = Buffer.from(policy, 'base64').toString('utf8');
    decoded = JSON.parse(text);
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (!decoded || typeof decoded !== 'object' || Array.isArray(decoded)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = decoded as Record<string, unknown>;
  return { expiration, conditions };
}

function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

function fieldName(raw: unknown, condition: unknown): string {
  // A field in an array condition is named with a `$` prefix; without it the condition cannot hold.
  if (typeof raw !== 'string' || !raw.startsWith('$')) throw errors.policyFailed(condition);
  return raw.slice(1).toLowerCase();
}

export function authorizePost(
  fields: FormFields,
  bucket: string,
  credentials: Credentials,
  now: Date,
): PostAuthorization {
  if (!formValue(fields, 'key')) throw missingField('key');
  const accessKeyId = verifySignature(fields, credentials);
  const { expiration, conditions } = decodePolicy(formValue(fields, 'Policy') ?? '');

  if (typeof expiration !== 'string') throw invalidPolicy('Policy missing expiration.');
  const expiresAt = new Date(expiration);
  if (Number.isNaN(expiresAt.getTime())) throw invalidPolicy(`Invalid 'expiration' value: '${expiration}'`);
  if (now.getTime() > expiresAt.getTime())
    throw errors.accessDenied('Invalid according to Policy: Policy expired.');
  if (!Array.isArray(conditions)) throw invalidPolicy('Policy missing conditions.');

  const values = new Map<string, string>();
  for (const [name, value] of fields)
    if (!values.has(name.toLowerCase())) values.set(name.toLowerCase(), value);
  values.set('bucket', bucket);
  const covered = new Set<string>();
  let minLength = 0;
  let maxLength = Number.POSITIVE_INFINITY;

  for (const condition of conditions) {
    if (Array.isArray(condition)) {
      const [operator, ...args] = condition;
      if (condition.length !== 3 || typeof operator !== 'string') {
        throw invalidPolicy(
          `Invalid Condition: wrong number of arguments or operator in ${JSON.stringify(condition)}.`,
        );
      }
      const op = operator.toLowerCase();
      if (op === 'content-length-range') {
        const min = toInteger(args[0]);
        const max = toInteger(args[1]);
        if (min === undefined || max === undefined) throw errors.policyFailed(condition);
        minLength = Math.max(minLength, min);
        maxLength = Math.min(maxLength, max);
        continue;
      }
      if (op !== 'eq' && op !== 'starts-with')
        throw invalidPolicy(`Invalid Condition: unknown operator "${operator}".`);
      const name = fieldName(args[0], condition);
      const expected = args[1];
      if (typeof expected !== 'string') throw errors.policyFailed(condition);
      const actual = values.get(name) ?? '';
      covered.add(name);
      const ok =
        op === 'eq'
          ? actual === expected
          : name === 'content-type'
            ? actual.split(',').every((part) => part.trim().startsWith(expected))
            : actual.startsWith(expected);
      if (!ok) throw errors.policyFailed(condition);
      continue;
    }
    if (condition && typeof condition === 'object') {
      const entries = Object.entries(condition);
      if (entries.length !== 1) {
        throw invalidPolicy(
          'Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
        );
      }
      const [[rawName, expected]] = entries as [[string, unknown]];
      const name = rawName.toLowerCase();
      covered.add(name);
      if (typeof expected !== 'string' || (values.get(name) ?? '') !== expected)
        throw errors.policyFailed(condition);
      continue;
    }
    throw invalidPolicy(`Invalid Condition: ${JSON.stringify(condition)}.`);
  }

  const extra = fields
    .map(([name]) => name)
    .filter((name) => {
      const lower = name.toLowerCase();
      return !UNCONDITIONED.has(lower) && !lower.startsWith('x-ignore-') && !covered.has(lower);
    });
  if (extra.length > 0) {
    throw errors.accessDenied(`Invalid according to Policy: Extra input fields: ${extra.join(', ')}`);
  }
  return { accessKeyId, minLength, maxLength };
}
