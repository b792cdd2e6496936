import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A child process (bench/stall-bench.ts forks it): GETs `<url>/healthz` one at a time, 10 ms after each
 * answer, and on the message `stop` reports every wait for an answer, in ms. Its own process, so that the
 * benchmark's downloads never delay a poll.
 */
const url = new URL('/healthz', process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let stopping = false;
process.on('message', (m) => {
  if (m === 'stop') stopping = true;
});

const poll = () =>
  new Promise<number>((resolve, reject) => {
    const started = performance.now();
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(performance.now() - started)
            : reject(new Error(`${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });

await poll(); // the connection is open before the load starts
process.send!('ready');
const waits: number[] = [];
while (!stopping) {
  waits.push(await poll());
  await sleep(10);
}
agent.destroy();
process.send!(waits, () => process.disconnect());
