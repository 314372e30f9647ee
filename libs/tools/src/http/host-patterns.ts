/** A URL's host name as the allowlist compares it: lower case, no IPv6 brackets, no trailing dot. */
export function normalizeHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/**
 * Whether `host` matches one of `patterns`: an exact host name ("api.example.com", "10.1.2.3"), or
 * "*.example.com", which matches every subdomain of example.com at any depth but not example.com
 * itself. Matching is case-insensitive and ignores a trailing dot.
 */
export function hostMatches(host: string, patterns: readonly string[]): boolean {
  const candidate = normalizeHost(host);
  for (const raw of patterns) {
    const pattern = normalizeHost(raw.trim());
    if (pattern.startsWith('*.')) {
      const suffix = pattern.slice(1);
      if (candidate.length > suffix.length && candidate.endsWith(suffix)) return true;
    } else if (pattern !== '' && candidate === pattern) {
      return true;
    }
  }
  return false;
}

/**
 * The operator's list of hosts that may resolve to private addresses, from the text of
 * SWITCHYARD_TOOLS_PRIVATE_HOSTS: host names or patterns separated by commas or white space.
 */
export function parseHostList(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(/[\s,]+/)
    .map((entry) => normalizeHost(entry.trim()))
    .filter((entry) => entry.length > 0);
}
