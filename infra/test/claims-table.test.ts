import { describe, expect, it } from 'vitest';
import { synth } from './synth.js';

describe('claims table', () => {
  const { template } = synth();
  const table = () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(1);
    return tables[0]?.Properties;
  };

  it('is keyed by the upload id, a string, as the services read it', () => {
    expect(table().KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(table().AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
  });

  it('is on demand, with the ttl attribute and point-in-time recovery', () => {
    expect(table().BillingMode).toBe('PAY_PER_REQUEST');
    expect(table().TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(table().PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('is protected against deletion only when asked', () => {
    expect(table().DeletionProtectionEnabled).toBe(false);
    synth({ deletionProtection: 'true' }).template.hasResourceProperties('AWS::DynamoDB::Table', {
      DeletionProtectionEnabled: true,
    });
  });
});
