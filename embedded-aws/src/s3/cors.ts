import { S3Error } from './errors.js';
import { asArray, asRecord, asString } from './xml.js';

/** Bucket CORS as S3 evaluates it: the first rule that matches origin, method and headers wins. */
export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

const METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD']);

export function parseCorsConfiguration(doc: Record<string, unknown>): CorsRule[] {
  const config = asRecord(doc.CORSConfiguration);
  const rules = asArray(config.CORSRule).map((raw) => {
    const rule = asRecord(raw);
    const strings = (value: unknown) => asArray(value).map((v) => asString(v) ?? '');
    const parsed: CorsRule = {
      allowedOrigins: strings(rule.AllowedOrigin),
      allowedMethods: strings(rule.AllowedMethod),
      allowedHeaders: strings(rule.AllowedHeader),
      exposeHeaders: strings(rule.ExposeHeader),
    };
    const id = asString(rule.ID);
    if (id) parsed.id = id;
    const maxAge = asString(rule.MaxAgeSeconds);
    if (maxAge !== undefined) parsed.maxAgeSeconds = Number(maxAge);
    for (const method of parsed.allowedMethods) {
      if (!METHODS.has(method)) {
        throw new S3Error(
          400,
          'InvalidRequest',
          `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`,
        );
      }
    }
    if (parsed.allowedOrigins.length === 0 || parsed.allowedMethods.length === 0) {
      throw new S3Error(
        400,
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema',
      );
    }
    return parsed;
  });
  if (rules.length === 0 || rules.length > 100) {
    throw new S3Error(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  }
  return rules;
}

/** `*` matches any run of characters; S3 allows at most one per pattern, case-insensitive for headers. */
function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  const star = p.indexOf('*');
  if (star === -1) return p === v;
  return v.length >= p.length - 1 && v.startsWith(p.slice(0, star)) && v.endsWith(p.slice(star + 1));
}

export function findCorsRule(
  rules: CorsRule[] | undefined,
  origin: string,
  method: string,
  requestHeaders: string[] = [],
): CorsRule | undefined {
  return rules?.find(
    (rule) =>
      rule.allowedOrigins.some((o) => wildcardMatch(o, origin, false)) &&
      rule.allowedMethods.includes(method) &&
      requestHeaders.every((h) => rule.allowedHeaders.some((a) => wildcardMatch(a, h, true))),
  );
}

/** Response headers for a request from `origin` that `rule` allows. */
export function corsHeaders(rule: CorsRule, origin: string): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  const headers: Record<string, string> = {
    'access-control-allow-origin': anyOrigin ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
  if (!anyOrigin) headers['access-control-allow-credentials'] = 'true';
  if (rule.exposeHeaders.length > 0) headers['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) headers['access-control-max-age'] = String(rule.maxAgeSeconds);
  return headers;
}

export function corsRuleToXml(rule: CorsRule) {
  return {
    ID: rule.id,
    AllowedHeader: rule.allowedHeaders,
    AllowedMethod: rule.allowedMethods,
    AllowedOrigin: rule.allowedOrigins,
    ExposeHeader: rule.exposeHeaders,
    MaxAgeSeconds: rule.maxAgeSeconds,
  };
}
