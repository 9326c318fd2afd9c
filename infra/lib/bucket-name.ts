import { type Stack, Token } from 'aws-cdk-lib';

/**
 * The upload bucket's name, computed from the stack name, account and region rather than left to
 * CloudFormation. The notification configuration lives on the bucket and needs the Lambda permissions to
 * exist first, while each permission's SourceArn names the bucket: a generated name (a `Ref` to the
 * bucket) would close that loop into a circular dependency. A name known before the bucket exists breaks
 * it, and stays unique because a stack name is unique within an account and region.
 */
const S3_NAME_MAX = 63;
const ACCOUNT_LENGTH = 12;
/** The longest region names today (`ap-southeast-5`) have 14 characters; leave room for longer ones. */
const REGION_ROOM = 16;

export function uploadBucketName(stack: Stack): string {
  if (Token.isUnresolved(stack.stackName)) {
    throw new Error('the upload bucket name needs a stack name known at synth time');
  }
  const room = S3_NAME_MAX - ACCOUNT_LENGTH - REGION_ROOM - 2;
  const prefix = stack.stackName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .slice(0, room)
    .replace(/^-+|-+$/g, '');
  if (prefix === '') throw new Error(`stack name "${stack.stackName}" gives no usable bucket name prefix`);
  return `${prefix}-${stack.account}-${stack.region}`;
}

/** `arn:<partition>:s3:::<bucket>` plus an optional path, built from the name alone (no reference). */
export function bucketArn(stack: Stack, bucketName: string, path = ''): string {
  return `arn:${stack.partition}:s3:::${bucketName}${path}`;
}
