import type { APIGatewayProxyResult } from 'aws-lambda';

/** API Gateway proxy answers: JSON bodies, and the `{"message": ...}` shape API Gateway uses for errors. */
export function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

export function message(statusCode: number, text: string): APIGatewayProxyResult {
  return json(statusCode, { message: text });
}

/** Parses a proxy event's body; undefined for none; throws SyntaxError for malformed JSON. */
export function parseJsonBody(body: string | null | undefined, isBase64Encoded: boolean): unknown {
  if (body === null || body === undefined || body.trim() === '') return undefined;
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  if (text.trim() === '') return undefined;
  return JSON.parse(text);
}
