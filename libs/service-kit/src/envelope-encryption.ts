import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * The key that encrypts data keys (the KEK). Locally a 256-bit key from the environment; in
 * production a key in Azure Key Vault that never leaves it (wrapKey/unwrapKey).
 */
export interface KeyEncryptionKey {
  readonly keyId: string;
  wrap(dataKey: Buffer): Promise<Buffer>;
  unwrap(wrapped: Buffer, keyId: string): Promise<Buffer>;
}

/** A secret sealed with its own data key; only the wrapped data key and the ciphertext are stored. */
export interface SealedSecret {
  v: 1;
  kek: string;
  wrappedKey: string;
  iv: string;
  tag: string;
  data: string;
}

function gcmSeal(key: Buffer, plaintext: Buffer, aad?: Buffer): { iv: Buffer; tag: Buffer; data: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad) cipher.setAAD(aad);
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), data };
}

function gcmOpen(key: Buffer, iv: Buffer, tag: Buffer, data: Buffer, aad?: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

/** A KEK held in the environment (SWITCHYARD_MASTER_KEY: 32 bytes, base64). */
export class LocalKeyEncryptionKey implements KeyEncryptionKey {
  readonly keyId: string;
  private readonly key: Buffer;
  constructor(base64Key: string, keyId = 'local-1') {
    this.key = Buffer.from(base64Key, 'base64');
    if (this.key.length !== 32) throw new Error('SWITCHYARD_MASTER_KEY must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`).');
    this.keyId = keyId;
  }
  async wrap(dataKey: Buffer): Promise<Buffer> {
    const { iv, tag, data } = gcmSeal(this.key, dataKey);
    return Buffer.concat([iv, tag, data]);
  }
  async unwrap(wrapped: Buffer, keyId: string): Promise<Buffer> {
    if (keyId !== this.keyId) throw new Error(`Secret was sealed with key ${keyId}, not ${this.keyId}.`);
    return gcmOpen(this.key, wrapped.subarray(0, 12), wrapped.subarray(12, 28), wrapped.subarray(28));
  }
}

/** A KEK in Azure Key Vault (KEY_VAULT_KEY_ID, an RSA key), used through Entra ID (DefaultAzureCredential). */
export class AzureKeyVaultKeyEncryptionKey implements KeyEncryptionKey {
  constructor(readonly keyId: string) {}
  private async client() {
    const [{ CryptographyClient }, { DefaultAzureCredential }] = await Promise.all([import('@azure/keyvault-keys'), import('@azure/identity')]);
    return new CryptographyClient(this.keyId, new DefaultAzureCredential());
  }
  async wrap(dataKey: Buffer): Promise<Buffer> {
    const result = await (await this.client()).wrapKey('RSA-OAEP-256', dataKey);
    return Buffer.from(result.result);
  }
  async unwrap(wrapped: Buffer, keyId: string): Promise<Buffer> {
    if (keyId !== this.keyId) throw new Error(`Secret was sealed with key ${keyId}, not ${this.keyId}.`);
    const result = await (await this.client()).unwrapKey('RSA-OAEP-256', wrapped);
    return Buffer.from(result.result);
  }
}

/**
 * Envelope encryption: every secret gets a fresh 256-bit data key (AES-256-GCM), and only that key,
 * wrapped by the KEK, is stored beside the ciphertext. The associated data (e.g. tenant and secret
 * name) is bound into the ciphertext, so a sealed secret copied to another tenant does not open.
 */
export class EnvelopeEncryption {
  constructor(private readonly kek: KeyEncryptionKey) {}

  async seal(plaintext: string, associatedData: string): Promise<SealedSecret> {
    const dataKey = randomBytes(32);
    const { iv, tag, data } = gcmSeal(dataKey, Buffer.from(plaintext, 'utf8'), Buffer.from(associatedData, 'utf8'));
    const wrappedKey = await this.kek.wrap(dataKey);
    dataKey.fill(0);
    return { v: 1, kek: this.kek.keyId, wrappedKey: wrappedKey.toString('base64'), iv: iv.toString('base64'), tag: tag.toString('base64'), data: data.toString('base64') };
  }

  async open(sealed: SealedSecret, associatedData: string): Promise<string> {
    const dataKey = await this.kek.unwrap(Buffer.from(sealed.wrappedKey, 'base64'), sealed.kek);
    try {
      return gcmOpen(dataKey, Buffer.from(sealed.iv, 'base64'), Buffer.from(sealed.tag, 'base64'), Buffer.from(sealed.data, 'base64'), Buffer.from(associatedData, 'utf8')).toString('utf8');
    } finally {
      dataKey.fill(0);
    }
  }
}
