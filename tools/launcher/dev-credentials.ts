import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DevState {
  contextSecret: string;
  adminKey: string;
  devKey: string;
  tenantId: string;
}

function newKey(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyz23456789';
  const id = Array.from(randomBytes(12), (byte) => alphabet[byte % alphabet.length]).join('');
  return `sy_${id}_${randomBytes(32).toString('base64url')}`;
}

/** The dev credentials of a local platform: made once, kept in <stateDir>/dev-state.json across starts. */
export function loadOrCreateDevState(file: string): DevState {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevState;
  const state: DevState = { contextSecret: randomBytes(32).toString('base64url'), adminKey: newKey(), devKey: newKey(), tenantId: 'dev' };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
  return state;
}
