// Preloaded into every platform process by `npm run bench -- --cpu-prof DIR` (NODE_OPTIONS=--import,
// since node refuses --cpu-prof there): profiles the whole life of the process with the inspector
// and writes <service>.<pid>.cpuprofile into $BENCH_CPU_PROFILE_DIR when it exits; SIGUSR2 twice marks a window.
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const service = /apps\/([^/]+)\//.exec(process.argv[1] ?? '')?.[1] ?? 'process';
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // The in-process inspector answers synchronously, so this completes inside an exit handler.
    session.post('Profiler.stop', (error, result) => {
      if (error || !result) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${service}.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  // On SIGTERM already: a slow graceful shutdown may end in SIGKILL, which no exit handler survives.
  process.once('SIGTERM', write);
  process.on('exit', write);
  // A window of the process's life (the bench marks one around a measurement): the first SIGUSR2
  // throws away what was sampled so far (start-up, module loading) and starts again; the second
  // writes <service>.<pid>.window.cpuprofile. The whole-life profile is still written at exit.
  let windowOpen = false;
  process.on('SIGUSR2', () => {
    if (!windowOpen) {
      windowOpen = true;
      session.post('Profiler.stop', () => session.post('Profiler.start'));
      return;
    }
    windowOpen = false;
    session.post('Profiler.stop', (error, result) => {
      if (!error && result) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${service}.${process.pid}.window.cpuprofile`), JSON.stringify(result.profile));
      }
      session.post('Profiler.start');
    });
  });
}
