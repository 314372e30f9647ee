// A Cosmos DB-compatible server (@vercel/cosmosdb-server, in memory) in its own process, serving
// HTTPS with the certificate it is given, for the distributed mode on one machine and its tests.
// Plain JavaScript so that it runs without a TypeScript loader. Usage:
//   node cosmos-emulator-process.mjs <port> <cert.pem> <key.pem>
import { readFileSync } from 'node:fs';
// Before the server: its routes take the batch handler when they load.
import './cosmos-atomic-batches.mjs';
import { createHttpsServer } from '@vercel/cosmosdb-server';

const [port, certFile, keyFile] = process.argv.slice(2);
const server = createHttpsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2', keepAlive: true });
server.listen(Number(port), '127.0.0.1', () => {
  const address = server.address();
  const message = { type: 'ready', port: typeof address === 'object' && address ? address.port : Number(port) };
  if (process.send) process.send(message);
  else console.log(JSON.stringify(message));
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
