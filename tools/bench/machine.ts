import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineDescription {
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  nodeVersion: string;
  platform: string;
  openFilesLimit: string;
  gitRevision: string;
  /** Paths with uncommitted changes at the time of the run (other developers' work in progress). */
  uncommitted: string[];
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** The CPU (from /proc/cpuinfo when present), memory, Node version and source revision of this run. */
export function describeMachine(): MachineDescription {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // Not Linux: os.cpus() is as good as it gets.
  }
  return {
    cpuModel,
    cpuCount: os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    nodeVersion: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    openFilesLimit: run('sh', ['-c', 'ulimit -n']) || 'unknown',
    gitRevision: run('git', ['rev-parse', '--short', 'HEAD']) || 'unknown',
    uncommitted: run('git', ['status', '--porcelain'])
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3)),
  };
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): [number, number, number] {
  const [one, five, fifteen] = os.loadavg();
  return [one!, five!, fifteen!];
}

/** Resident memory of a process in bytes (VmRSS from /proc/<pid>/status), or NaN when unreadable. */
export function residentBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Open file descriptors of a process (entries of /proc/<pid>/fd), or NaN when unreadable. */
export function openDescriptors(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

/** User + system CPU seconds a process has used so far (from /proc/<pid>/stat), or NaN. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticksPerSecond = 100;
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds the whole machine has spent busy (all cores; from /proc/stat), or NaN. */
export function machineBusySeconds(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The name under which CpuMeter reports CPU used by processes outside the measured set. */
export const OTHER_PROCESSES = 'everything else on the machine';

/**
 * CPU use of named processes over an interval, as a share of one core (1.0 = one core busy),
 * plus what the rest of the machine used meanwhile (other developers' work, here).
 */
export class CpuMeter {
  private readonly start = new Map<string, number>();
  private readonly machineStart = machineBusySeconds();
  private readonly startedAt = process.hrtime.bigint();
  constructor(private readonly pids: Record<string, number>) {
    for (const [name, pid] of Object.entries(pids)) this.start.set(name, cpuSeconds(pid));
  }

  /** Cores used per process since construction, busiest first, then everything else. */
  read(): Array<{ name: string; cores: number }> {
    const seconds = Number(process.hrtime.bigint() - this.startedAt) / 1e9;
    const ours = Object.entries(this.pids)
      .map(([name, pid]) => ({ name, cores: (cpuSeconds(pid) - this.start.get(name)!) / seconds }))
      .filter((entry) => Number.isFinite(entry.cores))
      .sort((a, b) => b.cores - a.cores);
    const machine = (machineBusySeconds() - this.machineStart) / seconds;
    const other = machine - ours.reduce((sum, entry) => sum + entry.cores, 0);
    return Number.isFinite(other) ? [...ours, { name: OTHER_PROCESSES, cores: Math.max(0, other) }] : ours;
  }
}
