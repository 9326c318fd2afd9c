import { describe, expect, it } from 'vitest';
import { OUTPUT } from '../lib/one-time-upload-stack.js';
import { BUCKET, logicalId, REGION, synth } from './synth.js';

describe('stack outputs', () => {
  const { stack, template } = synth();
  const outputs = template.toJSON().Outputs;
  const ref = (construct: { node: { defaultChild?: unknown } }) => ({
    Ref: logicalId(stack, construct),
  });

  it('names everything the integration suite needs to run against the deployed stack', () => {
    expect(Object.keys(outputs).sort()).toEqual(Object.values(OUTPUT).sort());
    expect(JSON.stringify(outputs[OUTPUT.apiUrl].Value)).toContain('.execute-api.');
    expect(outputs[OUTPUT.apiKeyId].Value).toEqual(ref(stack.api.apiKey));
    expect(outputs[OUTPUT.bucketName].Value).toBe(BUCKET);
    expect(outputs[OUTPUT.tableName].Value).toEqual(ref(stack.claims.table));
    expect(outputs[OUTPUT.alarmTopicArn].Value).toEqual(ref(stack.alarms.topic));
    expect(outputs[OUTPUT.region].Value).toBe(REGION);
    expect(outputs[OUTPUT.uploadUrlTtlSeconds].Value).toBe('30');
    expect(outputs[OUTPUT.maxUploadBytes].Value).toBe(String(2 * 1024 ** 3));
  });

  it('gives the command that prints the API key value', () => {
    expect(stack.resolve(outputs[OUTPUT.apiKeyValueCommand].Value)).toEqual({
      'Fn::Join': [
        '',
        [
          'aws apigateway get-api-key --api-key ',
          ref(stack.api.apiKey),
          ' --include-value --query value --output text',
        ],
      ],
    });
  });
});
