/**
 * Bench (w)'s webhook receiver, run as its own process (child_process.fork):
 * answers every POST 204 and reports how many it got to its parent every
 * 10 ms, and how many of them repeated a delivery id already received
 * (at least once: a delivery sent again after a worker died, say). In the bench's process it shared the simulator's event loop, so
 * each burst of deliveries delayed the simulated CPEs' own round trips and
 * counted as the ACS being slower.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

let [received, repeated] = [0, 0];
const ids = new Set<string>();
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    const id = req.headers['x-acs-delivery'];
    if (typeof id === 'string') {
      if (ids.has(id)) repeated++;
      else ids.add(id);
    }
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
  let sent = -1;
  setInterval(() => {
    if (received !== sent) process.send?.({ received: (sent = received), repeated });
  }, 10);
});
process.on('disconnect', () => process.exit(0));
