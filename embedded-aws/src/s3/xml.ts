import { XMLParser } from 'fast-xml-parser';
import { errors } from './errors.js';

/** A tiny XML writer for S3's response documents: elements are written in the order given. */
export type XmlValue = string | number | boolean | null | undefined | XmlNode | XmlNode[] | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

function writeValue(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => writeValue(name, item)).join('');
  if (typeof value === 'object') return `<${name}>${writeNode(value)}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function writeNode(node: XmlNode): string {
  return Object.entries(node)
    .map(([name, value]) => writeValue(name, value))
    .join('');
}

/** A whole document with S3's namespace on the root element. */
export function xmlDocument(root: string, body: XmlNode, namespace = true): string {
  const attrs = namespace ? ` xmlns="${S3_NAMESPACE}"` : '';
  return `${XML_DECLARATION}<${root}${attrs}>${writeNode(body)}</${root}>`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
});

/** Parses a request body; anything that is not well-formed XML is S3's MalformedXML. */
export function parseXml(text: string): Record<string, unknown> {
  if (!text.trim()) throw errors.malformedXml();
  try {
    const parsed: unknown = parser.parse(text, true);
    if (!parsed || typeof parsed !== 'object') throw errors.malformedXml();
    return parsed as Record<string, unknown>;
  } catch {
    throw errors.malformedXml();
  }
}

/** XML elements that may repeat come back as a value or an array: always an array here. */
export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
