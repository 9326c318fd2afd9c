import autocannon from 'autocannon';

/** Runs in its own process (the other core): load on one URL, results as JSON on stdout. */
const [url, connections = '10', duration = '10', apiKey = ''] = process.argv.slice(2);
const result = await autocannon({
  url: url as string,
  connections: Number(connections),
  duration: Number(duration),
  headers: apiKey ? { 'x-api-key': apiKey } : {},
});
process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  }),
);
