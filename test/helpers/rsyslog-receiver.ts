import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export const RSYSLOGD = '/usr/sbin/rsyslogd';

/** Why a private rsyslogd with TLS cannot run here, or null. */
export async function rsyslogUnavailable(): Promise<string | null> {
  if (!existsSync(RSYSLOGD)) return 'rsyslogd is not installed (apt-get install -y rsyslog rsyslog-openssl)';
  if (
    !existsSync('/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so') &&
    !existsSync('/usr/lib/rsyslog/lmnsd_ossl.so')
  )
    return 'the rsyslog TLS driver is not installed (apt-get install -y rsyslog-openssl)';
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    return 'openssl is not installed';
  }
  return null;
}

/** A test CA and a server certificate it signed for localhost (and 127.0.0.1), made with openssl. */
export function makeTestCa(dir: string): {
  caPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
} {
  const f = (name: string) => join(dir, name);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=auditlog test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  run(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
  );
  writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('server.pem'),
  );
  return {
    caPem: readFileSync(f('ca.pem'), 'utf8'),
    caFile: f('ca.pem'),
    certFile: f('server.pem'),
    keyFile: f('server.key'),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One line rsyslog wrote: the RFC 5424 fields it parsed out of a message. */
export interface SyslogLine {
  pri: string;
  host: string;
  app: string;
  msgid: string;
  sd: string;
  msg: string;
}

/**
 * A private rsyslogd (its own config, ports, pid file and work directory) that listens on TCP and on TLS
 * (RFC 5425, the openssl driver, the test CA's certificate) and writes each message's parsed fields as one
 * JSON line. `stop()` kills it; `start()` again listens on the same ports.
 */
export class RsyslogReceiver {
  readonly tcpPort: number;
  readonly tlsPort: number;
  readonly #dir: string;
  readonly #out: string;
  #child: ChildProcess | null = null;

  private constructor(dir: string, tcpPort: number, tlsPort: number) {
    this.#dir = dir;
    this.tcpPort = tcpPort;
    this.tlsPort = tlsPort;
    this.#out = join(dir, 'received.jsonl');
  }

  static async create(
    dir: string,
    tls: { certFile: string; keyFile: string; caFile: string },
    /** rsyslog's maxMessageSize; null leaves its default (8096 bytes), as a stock install has it. */
    maxMessageSize: string | null = '256k',
  ): Promise<RsyslogReceiver> {
    const r = new RsyslogReceiver(dir, await freePort(), await freePort());
    const size = maxMessageSize === null ? '' : ` maxMessageSize="${maxMessageSize}"`;
    writeFileSync(
      join(dir, 'rsyslog.conf'),
      `global(workDirectory="${dir}"${size}
  defaultNetstreamDriverCAFile="${tls.caFile}" defaultNetstreamDriverCertFile="${tls.certFile}"
  defaultNetstreamDriverKeyFile="${tls.keyFile}")
module(load="imtcp" maxSessions="100")
input(type="imtcp" port="${r.tcpPort}" name="tcp")
input(type="imtcp" port="${r.tlsPort}" name="tls" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon")
template(name="fields" type="list" option.jsonf="on") {
  property(outname="pri" name="pri" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  property(outname="app" name="app-name" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}
action(type="omfile" file="${r.#out}" template="fields" flushOnTXEnd="on" asyncWriting="off")
`,
    );
    await r.start();
    return r;
  }

  async start(): Promise<void> {
    const child = spawn(
      RSYSLOGD,
      ['-n', '-f', join(this.#dir, 'rsyslog.conf'), '-i', join(this.#dir, 'rsyslogd.pid')],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
    });
    this.#child = child;
    // Listening once both ports accept a connection.
    const deadline = Date.now() + 10_000;
    for (const port of [this.tcpPort, this.tlsPort]) {
      while (!(await accepts(port))) {
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(`rsyslogd did not start: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** SIGKILL: the receiver dies without flushing anything more. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.#child = null;
  }

  lines(): SyslogLine[] {
    if (!existsSync(this.#out)) return [];
    return readFileSync(this.#out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as SyslogLine);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
