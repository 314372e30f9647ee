import { randomBytes, scrypt, timingSafeEqual, createHash } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number }) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1 };
const ALPHABET = 'abcdefghijkmnopqrstuvwxyz23456789';

/** API keys read `sy_<keyId>_<secret>`: the id is visible and indexes the key; only the secret is secret. */
export interface ParsedApiKey {
  keyId: string;
  secret: string;
}

export function newKeyId(): string {
  const bytes = randomBytes(12);
  return Array.from(bytes, (byte) => ALPHABET[byte % ALPHABET.length]).join('');
}

export function newApiKey(keyId: string = newKeyId()): { keyId: string; secret: string } {
  return { keyId, secret: `sy_${keyId}_${randomBytes(32).toString('base64url')}` };
}

export function parseApiKey(secret: string): ParsedApiKey | null {
  const match = /^sy_([a-z0-9]{8,32})_([A-Za-z0-9_-]{20,100})$/.exec(secret);
  return match ? { keyId: match[1]!, secret } : null;
}

export function keyPrefix(keyId: string): string {
  return `sy_${keyId}_`;
}

/** scrypt with a random salt: slow enough that a leaked table of hashes is no table of keys. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, { ...SCRYPT, N: Number(n) });
  return timingSafeEqual(expected, actual);
}

/** A fast fingerprint for caches: never stored, never logged. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
