import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { BadUserInputError } from '@switchyard/contracts';

/** Refuses a URL the platform must not call (throws BadUserInputError); resolves otherwise. */
export type DestinationCheck = (url: URL) => Promise<void>;

/** A tenant-supplied webhook URL: http(s), no credentials in it, at most 2000 characters. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BadUserInputError('input.webhookUrl must be an absolute http(s) URL, e.g. https://hooks.example.com/switchyard.', { field: 'input.webhookUrl' });
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || text.length > 2000) {
    throw new BadUserInputError('input.webhookUrl must be an http(s) URL without user name or password, at most 2000 characters.', { field: 'input.webhookUrl' });
  }
  return url;
}

/** Only ordinary public unicast addresses: no loopback, private, link-local, unique-local, CGNAT, multicast or reserved ranges. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/**
 * The check applied to every webhook URL when it is set and again before every delivery (a name may
 * resolve elsewhere later): each address the host resolves to must be public, unless the host is on
 * the operator's exemption list (BUDGET_WEBHOOK_ALLOWED_HOSTS), e.g. an internal alerting relay.
 */
export function publicDestinationCheck(exemptHosts: readonly string[]): DestinationCheck {
  const exempt = new Set(exemptHosts.map((host) => host.toLowerCase()));
  return async (url) => {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (exempt.has(host)) return;
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
      } catch {
        throw new BadUserInputError(`The webhook host ${host} does not resolve; use a host name with a public DNS record.`, { field: 'input.webhookUrl' });
      }
    }
    const refused = addresses.filter((address) => !isPublicAddress(address));
    if (refused.length > 0 || addresses.length === 0) {
      throw new BadUserInputError(
        `The webhook host ${host} resolves to a private, loopback or reserved address (${refused.join(', ')}); webhooks must go to a public address. An operator can exempt a host with BUDGET_WEBHOOK_ALLOWED_HOSTS.`,
        { field: 'input.webhookUrl' },
      );
    }
  };
}
