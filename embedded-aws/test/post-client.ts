import { createHmac } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';

/** Builds and sends POST Object forms as a browser would, with the fields in a chosen order. */
export type Field = [string, string];

export interface PostResult {
  status: number;
  body: string;
  headers: Headers;
}

export async function postForm(
  url: string,
  fields: Field[],
  file: { content: string | Buffer; filename?: string } | undefined,
  extraAfterFile: Field[] = [],
): Promise<PostResult> {
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  if (file) {
    if (file.filename === undefined)
      form.append('file', typeof file.content === 'string' ? file.content : file.content.toString());
    else form.append('file', new Blob([file.content]), file.filename);
  }
  for (const [name, value] of extraAfterFile) form.append(name, value);
  const response = await fetch(url, { method: 'POST', body: form, redirect: 'manual' });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** A SigV4 presigned POST from the SDK, as fields in the SDK's order. */
export async function presignedPost(
  s3: S3Client,
  options: PresignedPostOptions,
): Promise<{ url: string; fields: Field[] }> {
  const post = await createPresignedPost(s3, options);
  return { url: post.url, fields: Object.entries(post.fields) };
}

/** A SigV2 POST form (AWSAccessKeyId / Signature), as older clients build it. */
export function sigV2Post(
  policy: { expiration: string; conditions: unknown[] },
  accessKeyId: string,
  secret: string,
  fields: Field[],
): Field[] {
  const encoded = Buffer.from(JSON.stringify(policy)).toString('base64');
  const signature = createHmac('sha1', secret).update(encoded).digest('base64');
  return [...fields, ['AWSAccessKeyId', accessKeyId], ['policy', encoded], ['signature', signature]];
}

export function without(fields: Field[], ...names: string[]): Field[] {
  const lower = names.map((n) => n.toLowerCase());
  return fields.filter(([name]) => !lower.includes(name.toLowerCase()));
}

export function replaced(fields: Field[], name: string, value: string): Field[] {
  return fields.map(([n, v]) => (n.toLowerCase() === name.toLowerCase() ? [n, value] : [n, v]));
}
