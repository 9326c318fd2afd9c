import { DEFAULTS } from '@one-time-upload/services/config';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { logicalId, synth } from './synth.js';

describe('upload API', () => {
  const { stack, template } = synth();
  const resources = template.toJSON().Resources;
  const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
  const pathOf = (resourceId: unknown): string => {
    if (typeof resourceId === 'object' && resourceId !== null && 'Fn::GetAtt' in resourceId) return '';
    const id = (resourceId as { Ref: string }).Ref;
    const resource = resources[id].Properties;
    return `${pathOf(resource.ParentId)}/${resource.PathPart}`;
  };
  const route = (method: string, path: string) => {
    const found = methods.find(
      (m) => m.Properties.HttpMethod === method && pathOf(m.Properties.ResourceId) === path,
    );
    if (!found) throw new Error(`no ${method} ${path}`);
    return found.Properties;
  };

  it('serves exactly the three routes, each requiring an API key', () => {
    expect(
      methods.map((m) => `${m.Properties.HttpMethod} ${pathOf(m.Properties.ResourceId)}`).sort(),
    ).toEqual(['GET /getpresignedurl', 'GET /uploads/{id}', 'POST /uploads']);
    for (const method of methods) expect(method.Properties.ApiKeyRequired).toBe(true);
  });

  it('sends the issuing routes to the issuer and the status route to the status function', () => {
    const arnOf = (name: 'issuer' | 'status') => logicalId(stack, stack.functions[name].function);
    const target = (props: { Integration: { Uri: unknown; Type: string } }) => {
      expect(props.Integration.Type).toBe('AWS_PROXY');
      return JSON.stringify(props.Integration.Uri);
    };
    expect(target(route('GET', '/getpresignedurl'))).toContain(arnOf('issuer'));
    expect(target(route('POST', '/uploads'))).toContain(arnOf('issuer'));
    expect(target(route('GET', '/uploads/{id}'))).toContain(arnOf('status'));
  });

  it('validates the POST /uploads body against the fields the services accept', () => {
    const post = route('POST', '/uploads');
    const validator = resources[post.RequestValidatorId.Ref].Properties;
    expect(validator.ValidateRequestBody).toBe(true);
    const modelId = Object.keys(template.findResources('AWS::ApiGateway::Model'))[0];
    expect(post.RequestModels).toEqual({ 'application/json': { Ref: modelId } });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: {
        $schema: 'http://json-schema.org/draft-04/schema#',
        title: 'UploadRequest',
        type: 'object',
        additionalProperties: false,
        properties: {
          contentType: { type: 'string', minLength: 1 },
          maxBytes: { type: 'integer', minimum: 1, maximum: DEFAULTS.maxUploadBytes },
          method: { type: 'string', enum: ['POST', 'PUT'] },
          contentLength: { type: 'integer', minimum: 1, maximum: DEFAULTS.maxUploadBytes },
        },
      },
    });
  });

  it('requires the id of GET /uploads/{id}', () => {
    const status = route('GET', '/uploads/{id}');
    expect(status.RequestParameters).toEqual({ 'method.request.path.id': true });
    expect(resources[status.RequestValidatorId.Ref].Properties.ValidateRequestParameters).toBe(true);
  });

  it('puts the API key in a usage plan with the shared throttle and daily quota', () => {
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: DEFAULTS.usagePlan.rateLimit, BurstLimit: DEFAULTS.usagePlan.burstLimit },
      Quota: { Limit: DEFAULTS.usagePlan.quotaPerDay, Period: 'DAY' },
      ApiStages: [Match.objectLike({ ApiId: { Ref: Match.anyValue() } })],
    });
    const planId = Object.keys(template.findResources('AWS::ApiGateway::UsagePlan'))[0];
    const keyId = Object.keys(template.findResources('AWS::ApiGateway::ApiKey'))[0];
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      KeyType: 'API_KEY',
      KeyId: { Ref: keyId },
      UsagePlanId: { Ref: planId },
    });
  });

  it('takes usage plan overrides from context', () => {
    synth({
      usagePlanRateLimit: '5',
      usagePlanBurstLimit: '2',
      usagePlanQuotaPerDay: '100',
    }).template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 5, BurstLimit: 2 },
      Quota: { Limit: 100, Period: 'DAY' },
    });
  });

  it('writes JSON access logs to a log group with a retention, and error logs without bodies', () => {
    const logGroupId = logicalId(stack, stack.api.accessLogs);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        }),
      ],
    });
    expect(resources[logGroupId].Properties.RetentionInDays).toBe(30);
  });
});
