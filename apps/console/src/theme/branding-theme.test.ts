import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIMARY, MIN_CONTRAST, brandName, brandingTheme, contrastRatio, inkOn, readableOn } from './branding-theme.ts';

describe('branding theme', () => {
  it('uses the tenant colours for surfaces, and the defaults when none or an invalid one is given', () => {
    expect(brandingTheme({ primaryColor: '#AA0055', accentColor: '#0a0' })).toMatchObject({ '--brand-primary': '#aa0055', '--brand-accent': '#00aa00' });
    expect(brandingTheme(null)['--brand-primary']).toBe(DEFAULT_PRIMARY);
    expect(brandingTheme({ primaryColor: 'red' })['--brand-primary']).toBe(DEFAULT_PRIMARY);
  });

  it('keeps text readable on any colour a tenant picks (WCAG AA 4.5:1)', () => {
    for (const color of ['#ffff00', '#00ff00', '#000000', '#777777', '#1f4e8c', '#ff8800', '#ffffff', '#e0e0ff']) {
      const theme = brandingTheme({ primaryColor: color, accentColor: color });
      expect(contrastRatio(theme['--brand-on-primary']!, theme['--brand-primary']!)).toBeGreaterThanOrEqual(MIN_CONTRAST);
      expect(contrastRatio(theme['--brand-on-accent']!, theme['--brand-accent']!)).toBeGreaterThanOrEqual(MIN_CONTRAST);
      expect(contrastRatio(theme['--brand-primary-ink']!, '#ffffff')).toBeGreaterThanOrEqual(MIN_CONTRAST);
      expect(contrastRatio(theme['--brand-accent-ink']!, '#ffffff')).toBeGreaterThanOrEqual(MIN_CONTRAST);
    }
  });

  it('darkens only a mid-tone surface that neither black nor white text reads on', () => {
    expect(brandingTheme({ primaryColor: '#ffff00' })['--brand-primary']).toBe('#ffff00');
    expect(brandingTheme({ primaryColor: '#777777' })['--brand-primary']).not.toBe('#777777');
  });

  it('keeps a dark enough colour as it is, and darkens a light one only as far as needed', () => {
    expect(inkOn('#1f4e8c')).toBe('#1f4e8c');
    const shade = inkOn('#ffcc00');
    expect(shade).not.toBe('#ffcc00');
    expect(contrastRatio(shade, '#ffffff')).toBeGreaterThanOrEqual(MIN_CONTRAST);
    expect(contrastRatio(shade, '#ffffff')).toBeLessThan(6);
    expect(readableOn('#ffcc00')).not.toBe('#ffffff');
    expect(readableOn('#1f4e8c')).toBe('#ffffff');
  });

  it('names the tenant by its display name, else its name', () => {
    expect(brandName({ displayName: 'Acme Claims' }, 'acme')).toBe('Acme Claims');
    expect(brandName({ displayName: '  ' }, 'acme')).toBe('acme');
    expect(brandName(null, undefined)).toBe('Switchyard');
  });
});
