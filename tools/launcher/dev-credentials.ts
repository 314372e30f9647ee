import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DevState {
  contextSecret: string;
  adminKey: string;
  devKey: string;
  tenantId: string;
  masterKey?: string;
}

function newKey(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyz23456789';
  const id = Array.from(randomBytes(12), (byte) => alphabet[byte % alphabet.length]).join('');
  return `sy_${id}_${randomBytes(32).toString('base64url')}`;
}

/** The dev credentials of a local platform: made once, kept in <stateDir>/dev-state.json across starts. */
export function loadOrCreateDevState(file: string): DevState {
  if (existsSync(file)) {
    const existing = JSON.parse(readFileSync(file, 'utf8')) as DevState;
    if (existing.masterKey) return existing;
    // State from before integration secrets: add a master key, keep everything else.
    const upgraded = { ...existing, masterKey: randomBytes(32).toString('base64') };
    writeFileSync(file, JSON.stringify(upgraded, null, 2), { mode: 0o600 });
    return upgraded;
  }
  const state: DevState = { contextSecret: randomBytes(32).toString('base64url'), adminKey: newKey(), devKey: newKey(), tenantId: 'dev', masterKey: randomBytes(32).toString('base64') };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
  return state;
}
