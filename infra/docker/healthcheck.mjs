// The image's HEALTHCHECK: GET /healthz of the service this container runs, on its PORT (or the
// service's default port when PORT is unset). Exit 0 when it answers 200.
import { readFileSync } from 'node:fs';

const DEFAULT_PORTS = {
  gateway: 4000,
  tenants: 4001,
  selection: 4002,
  workflows: 4003,
  'engine-langgraph': 4004,
  'engine-crewai': 4005,
  'engine-autogen': 4006,
  billing: 4007,
  knowledge: 4008,
  'llm-simulator': 4010,
};

// A service named as the container's argument is not in this process's environment; read it from PID 1.
function serviceFromCommandLine() {
  try {
    return readFileSync('/proc/1/cmdline', 'utf8').split('\0').find((arg) => arg in DEFAULT_PORTS) ?? '';
  } catch {
    return '';
  }
}

const service = process.env.SWITCHYARD_SERVICE || serviceFromCommandLine();
const port = process.env.PORT || DEFAULT_PORTS[service];
if (!port) {
  console.error(`healthcheck: no PORT and no default port for service "${service}"`);
  process.exit(1);
}
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2500) });
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`healthcheck: ${error.message}`);
  process.exit(1);
}
