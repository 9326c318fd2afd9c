import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_LOCALSTACK_IMAGE } from '../src/localstack-target.js';

/** docker-compose.yml is checked by Compose itself (offline) and for what the local stack relies on. */
const file = new URL('../../docker-compose.yml', import.meta.url);
const run = promisify(execFile);

interface Service {
  image: string;
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(file, 'utf8')) as { services: Record<string, Service> };
const aws = compose.services.aws as Service;
const devServer = compose.services['dev-server'] as Service;
const composeBinary = ['/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].find((p) => existsSync(p));

describe('docker-compose.yml', () => {
  it.skipIf(!composeBinary)(
    'is valid for Compose, with LocalStack or with Floci (docker-compose config)',
    async () => {
      const binary = composeBinary as string;
      const config = async (env: Record<string, string>) =>
        (await run(binary, ['-f', file.pathname, 'config'], { env: { ...process.env, ...env } })).stdout;
      expect(await config({})).toContain(`image: ${DEFAULT_LOCALSTACK_IMAGE}`);
      expect(await config({ AWS_EMULATOR_IMAGE: 'floci/floci:1.7.0' })).toContain('image: floci/floci:1.7.0');
    },
  );

  it('pins the emulator image (LocalStack by default, the same tag the suite uses) and never uses latest', () => {
    expect(aws.image).toBe(`\${AWS_EMULATOR_IMAGE:-${DEFAULT_LOCALSTACK_IMAGE}}`);
    expect(readFileSync(file, 'utf8')).not.toMatch(/:latest\b/);
    expect(readFileSync(file, 'utf8')).toContain('floci/floci:1.7.0');
  });

  it('exposes the emulator on 4566 and the API on 3000', () => {
    expect(aws.ports).toContain('127.0.0.1:4566:4566');
    expect(devServer.ports).toContain('127.0.0.1:3000:3000');
  });

  it('passes the LocalStack licence token through and enables every service the stack needs', () => {
    expect(aws.environment?.LOCALSTACK_AUTH_TOKEN).toBe('${LOCALSTACK_AUTH_TOKEN:-}');
    const services = aws.environment?.SERVICES?.split(',') ?? [];
    for (const name of [
      's3',
      'dynamodb',
      'sqs',
      'lambda',
      'apigateway',
      'cloudformation',
      'iam',
      'sns',
      'cloudwatch',
      'logs',
    ]) {
      expect(services).toContain(name);
    }
    expect(aws.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');
  });

  it('starts the dev server on the emulator once it is healthy, signing URLs for the host', () => {
    expect(aws.healthcheck?.test.join(' ')).toContain('/_localstack/health');
    expect(devServer.depends_on?.aws?.condition).toBe('service_healthy');
    expect(devServer.environment).toMatchObject({
      BACKEND: 'localstack',
      AWS_ENDPOINT_URL: 'http://localstack:4566',
      S3_PUBLIC_ENDPOINT: '${S3_PUBLIC_ENDPOINT:-http://localhost:4566}',
      HOST: '0.0.0.0',
    });
  });
});
