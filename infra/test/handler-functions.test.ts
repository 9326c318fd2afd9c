import { LAMBDA_ENTRIES } from '@one-time-upload/services';
import { DEFAULTS } from '@one-time-upload/services/config';
import { describe, expect, it } from 'vitest';
import { HANDLER_ENTRIES } from '../lib/handler-function.js';
import { BUCKET, logicalId, synth } from './synth.js';

describe('handler functions', () => {
  const { stack, template } = synth();
  const tableRef = { Ref: logicalId(stack, stack.claims.table) };
  const resourceOf = (name: keyof typeof stack.functions) =>
    template.toJSON().Resources[logicalId(stack, stack.functions[name].function)];

  it('deploys every services entry point', () => {
    expect(HANDLER_ENTRIES).toEqual(LAMBDA_ENTRIES);
  });

  it('runs each on Node.js 22, arm64, with active X-Ray tracing', () => {
    for (const name of ['issuer', 'status', 'acceptor', 'processor'] as const) {
      const { Properties } = resourceOf(name);
      expect(Properties.Runtime).toBe('nodejs22.x');
      expect(Properties.Architectures).toEqual(['arm64']);
      expect(Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(Properties.Handler).toBe('index.handler');
    }
  });

  it('gives each the configuration its start-up reads, and only the resource names it is granted', () => {
    const common = {
      UPLOAD_URL_TTL_SECONDS: String(DEFAULTS.uploadUrlTtlSeconds),
      MAX_UPLOAD_BYTES: String(DEFAULTS.maxUploadBytes),
      POWERTOOLS_SERVICE_NAME: DEFAULTS.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: DEFAULTS.metricsNamespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const names = {
      issuer: { BUCKET_NAME: BUCKET, TABLE_NAME: tableRef },
      acceptor: { BUCKET_NAME: BUCKET, TABLE_NAME: tableRef },
      status: { TABLE_NAME: tableRef },
      processor: { BUCKET_NAME: BUCKET },
    };
    for (const [name, resources] of Object.entries(names) as [
      keyof typeof names,
      Record<string, unknown>,
    ][]) {
      expect(resourceOf(name).Properties.Environment.Variables).toEqual({ ...common, ...resources });
    }
  });

  it('passes TTL, size limit and log level overrides to the handlers', () => {
    const custom = synth({ uploadUrlTtlSeconds: '60', maxUploadBytes: '1048576', logLevel: 'debug' });
    custom.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          UPLOAD_URL_TTL_SECONDS: '60',
          MAX_UPLOAD_BYTES: '1048576',
          POWERTOOLS_LOG_LEVEL: 'DEBUG',
        },
      },
    });
  });

  it('sets timeouts that fit each job: short for the API, minutes for a 5 GiB copy', () => {
    expect(resourceOf('issuer').Properties.Timeout).toBe(10);
    expect(resourceOf('status').Properties.Timeout).toBe(10);
    expect(resourceOf('acceptor').Properties.Timeout).toBe(300);
    expect(resourceOf('processor').Properties.Timeout).toBe(60);
  });

  it('logs each function to its own log group with a retention', () => {
    for (const name of ['issuer', 'status', 'acceptor', 'processor'] as const) {
      const logGroupId = logicalId(stack, stack.functions[name].logGroup);
      expect(resourceOf(name).Properties.LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
      expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
    }
    synth({ logRetentionDays: '90' }).template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 90,
    });
  });
});
