import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EnvelopeEncryption, LocalKeyEncryptionKey } from './envelope-encryption.ts';

const masterKey = randomBytes(32).toString('base64');

describe('EnvelopeEncryption', () => {
  it('seals a secret so that only ciphertext and a wrapped data key are stored, and opens it again', async () => {
    const box = new EnvelopeEncryption(new LocalKeyEncryptionKey(masterKey));
    const sealed = await box.seal('xoxb-slack-token-123', 'acme/slack/token');
    expect(JSON.stringify(sealed)).not.toContain('xoxb');
    expect(await box.open(sealed, 'acme/slack/token')).toBe('xoxb-slack-token-123');
    const again = await box.seal('xoxb-slack-token-123', 'acme/slack/token');
    expect(again.data).not.toBe(sealed.data);
    expect(again.wrappedKey).not.toBe(sealed.wrappedKey);
  });

  it('refuses to open a secret moved to another tenant, tampered with, or under another master key', async () => {
    const box = new EnvelopeEncryption(new LocalKeyEncryptionKey(masterKey));
    const sealed = await box.seal('secret', 'acme/jira/token');
    await expect(box.open(sealed, 'globex/jira/token')).rejects.toThrow();
    const tampered = { ...sealed, data: Buffer.from('x' + Buffer.from(sealed.data, 'base64').toString('latin1').slice(1), 'latin1').toString('base64') };
    await expect(box.open(tampered, 'acme/jira/token')).rejects.toThrow();
    const other = new EnvelopeEncryption(new LocalKeyEncryptionKey(randomBytes(32).toString('base64')));
    await expect(other.open(sealed, 'acme/jira/token')).rejects.toThrow();
    expect(() => new LocalKeyEncryptionKey('c2hvcnQ=')).toThrow(/32 bytes/);
  });
});
