import { spawn, spawnSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The managed parts the distributed mode needs, as real local processes: a Cosmos DB-compatible
 * server, redis-server and nginx. In production they are Azure Cosmos DB, Azure Cache for Redis and
 * Front Door / an ingress (docs/deploy.md); here they run from Debian packages and npm.
 */
export interface RunningComponent {
  /** Where clients reach it. */
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** The kernel's range for outgoing connections' local ports (Linux), or the IANA dynamic range. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // not Linux
  }
  return [49152, 65535];
}

const handedOut = new Set<number>();

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

/**
 * A port nothing listens on, for a process started next. Chosen below the kernel's ephemeral range:
 * a port from `listen(0)` is one the kernel may also give an outgoing connection's local end in the
 * second before the process binds it, which then fails with EADDRINUSE (as seen under load).
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = 10_000;
  const high = Math.max(low + 1000, ephemeralLow - 1);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port) || !(await portIsFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`No free port found between ${low} and ${high}.`);
}

function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** The path of a system binary (PATH first, then the sbin directories Debian puts daemons in), or null. */
export function findBinary(name: string): string | null {
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  for (const dir of ['/usr/sbin', '/usr/local/sbin', '/sbin']) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}

function requireBinary(name: string, debianPackage: string): string {
  const path = findBinary(name);
  if (!path) throw new Error(`${name} is not installed; install it with: sudo apt-get install ${debianPackage}`);
  return path;
}

/** Wait for a line of output matching `ready`, or fail with what the process printed. */
function waitForOutput(child: ChildProcess, ready: RegExp, what: string, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms: ${output.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${signal ?? `code ${code}`}) before it was ready: ${output.slice(-2000)}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export interface TlsCertificate {
  certFile: string;
  keyFile: string;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost in `dir` (made once with openssl), which the
 * services trust through NODE_EXTRA_CA_CERTS: TLS stays verified, as against the real service.
 */
export function localCertificate(dir: string): TlsCertificate {
  mkdirSync(dir, { recursive: true });
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) return { certFile, keyFile };
  const openssl = requireBinary('openssl', 'openssl');
  const result = spawnSync(
    openssl,
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '825', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-addext', 'basicConstraints=critical,CA:TRUE', '-keyout', keyFile, '-out', certFile],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`openssl could not make a certificate: ${result.stderr}`);
  return { certFile, keyFile };
}

export interface RunningCosmos extends RunningComponent {
  /** COSMOS_ENDPOINT for the services. */
  endpoint: string;
  /** COSMOS_KEY: the server accepts any well-formed key. */
  key: string;
  /** NODE_EXTRA_CA_CERTS for the services: the certificate it serves. */
  caFile: string;
}

const COSMOS_PROCESS = fileURLToPath(new URL('./cosmos-emulator-process.mjs', import.meta.url));

/**
 * A Cosmos DB-compatible server (@vercel/cosmosdb-server) in its own process on HTTPS. It keeps its
 * data in memory: it lives as long as the stack (a managed database in production outlives every
 * replica, and so does this one: only the services are killed and restarted).
 */
export async function startCosmosEmulator(options: { stateDir: string; port?: number }): Promise<RunningCosmos> {
  const certificate = localCertificate(join(options.stateDir, 'tls'));
  const port = options.port ?? (await freePort());
  const log = openSync(join(options.stateDir, 'logs', 'cosmos.log'), 'a');
  const child = fork(COSMOS_PROCESS, [String(port), certificate.certFile, certificate.keyFile], { execArgv: [], stdio: ['ignore', log, log, 'ipc'] });
  closeSync(log);
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Cosmos DB-compatible server did not start within 15 s; see ${join(options.stateDir, 'logs', 'cosmos.log')}`)), 15_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolveReady();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Cosmos DB-compatible server exited (code ${code}); see ${join(options.stateDir, 'logs', 'cosmos.log')}`));
    });
  });
  const endpoint = `https://127.0.0.1:${port}/`;
  return { url: endpoint, endpoint, key: Buffer.from('local Cosmos DB-compatible server').toString('base64'), caFile: certificate.certFile, child, stop: () => stopChild(child) };
}

/** Whether a redis-server binary is installed (.ci/run installs it; see README). */
export function redisServerAvailable(): boolean {
  return findBinary('redis-server') !== null;
}

/** A real redis-server on loopback without persistence (pub/sub and rate limits only need it live). */
export async function startRedis(options: { port?: number } = {}): Promise<RunningComponent> {
  const binary = requireBinary('redis-server', 'redis-server');
  const port = options.port ?? (await freePort());
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(child, /Ready to accept connections/, 'redis-server');
  return { url: `redis://127.0.0.1:${port}`, child, stop: () => stopChild(child) };
}

/** Whether nginx is installed (Debian: nginx-light or nginx). */
export function nginxAvailable(): boolean {
  return findBinary('nginx') !== null;
}

/**
 * nginx's configuration for gateway replicas: HTTP and graphql-ws (WebSocket upgrade) balanced over
 * them, keep-alive upstream connections, and a request the replica refused (it is down) passed to
 * the next one; a request already sent is never sent twice (nginx's default for POST).
 */
export function nginxConfig(options: { dir: string; port: number; upstreams: string[] }): string {
  const dir = resolve(options.dir);
  const servers = options.upstreams.map((address) => `    server ${address} max_fails=1 fail_timeout=2s;`).join('\n');
  return `# Written by the distributed launcher; edits are overwritten.
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  client_max_body_size 12m;
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  upstream switchyard_gateway {
${servers}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${options.port};
    location = /lb-health { return 200 "ok\\n"; }
    location / {
      proxy_pass http://switchyard_gateway;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_connect_timeout 2s;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
      proxy_buffering off;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 3;
    }
  }
}
`;
}

/** A real nginx in front of the gateway replicas (`upstreams` as host:port). */
export async function startNginx(options: { stateDir: string; port?: number; upstreams: string[] }): Promise<RunningComponent> {
  const binary = requireBinary('nginx', 'nginx-light');
  const dir = join(options.stateDir, 'nginx');
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const port = options.port ?? (await freePort());
  const configFile = join(dir, 'nginx.conf');
  writeFileSync(configFile, nginxConfig({ dir, port, upstreams: options.upstreams }));
  const test = spawnSync(binary, ['-t', '-q', '-e', join(dir, 'error.log'), '-p', dir, '-c', configFile], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx refused its configuration ${configFile}: ${test.stderr}`);
  const child = spawn(binary, ['-e', join(dir, 'error.log'), '-p', dir, '-c', configFile, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (code ${child.exitCode}); see ${join(dir, 'error.log')}`);
    const ok = await fetch(`${url}/lb-health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`nginx did not answer on ${url} within 10 s; see ${join(dir, 'error.log')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, stop: () => stopChild(child) };
}
