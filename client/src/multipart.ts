import { randomBytes } from 'node:crypto';

/**
 * A multipart/form-data body for S3's POST Object, built around a file that is streamed, not loaded:
 * the preamble (every policy field, then the file part's headers) and the epilogue are small buffers, so
 * the exact Content-Length is known before the first byte is sent.
 */
export interface MultipartEnvelope {
  contentType: string;
  preamble: Buffer;
  epilogue: Buffer;
  /** preamble + file + epilogue, in bytes. */
  contentLength: number;
}

export interface FilePart {
  /** The file name sent in the part's Content-Disposition (S3 ignores it; browsers send it). */
  filename: string;
  size: number;
  contentType?: string;
}

/** Escapes a name in a Content-Disposition header the way browsers do (WHATWG HTML, form submission). */
function escapeName(name: string): string {
  return name.replaceAll('"', '%22').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

export function multipartEnvelope(
  fields: Record<string, string>,
  file: FilePart,
  boundary = `----one-time-upload-${randomBytes(16).toString('hex')}`,
): MultipartEnvelope {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    lines.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"\r\n\r\n${value}\r\n`,
    );
  }
  // S3 requires the file to be the last field; anything after it is ignored.
  lines.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${escapeName(file.filename)}"\r\n` +
      `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
  );
  const preamble = Buffer.from(lines.join(''), 'utf8');
  const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    preamble,
    epilogue,
    contentLength: preamble.length + file.size + epilogue.length,
  };
}
