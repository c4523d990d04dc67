// The one-core floor of a backtest: read the recording and JSON.parse every line, nothing else. Prints {ms, lines}.
import { closeSync, openSync, readSync } from 'node:fs';

const path = process.argv[2];
const t0 = performance.now();
const fd = openSync(path, 'r');
const buf = Buffer.allocUnsafe(4 << 20);
let rest = '';
let lines = 0;
for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) {
  const text = rest + buf.toString('utf8', 0, n);
  let start = 0;
  for (let nl; (nl = text.indexOf('\n', start)) >= 0; start = nl + 1) {
    JSON.parse(text.slice(start, nl));
    lines++;
  }
  rest = text.slice(start);
}
closeSync(fd);
process.stdout.write(JSON.stringify({ ms: performance.now() - t0, lines }) + '\n');
