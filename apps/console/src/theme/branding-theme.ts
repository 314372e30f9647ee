/** A tenant's branding as the API returns it (every field optional). */
export interface Branding {
  displayName?: string | null;
  logoUrl?: string | null;
  primaryColor?: string | null;
  accentColor?: string | null;
}

export const DEFAULT_PRIMARY = '#1f4e8c';
export const DEFAULT_ACCENT = '#0f7b6c';
const PAGE_BACKGROUND = '#ffffff';
const INK = '#14171f';
/** WCAG AA for normal text. */
export const MIN_CONTRAST = 4.5;

const HEX = /^#([0-9a-f]{6}|[0-9a-f]{3})$/i;

export function parseHex(color: string): [number, number, number] | null {
  const match = HEX.exec(color.trim());
  if (!match) return null;
  const digits = match[1]!.length === 3 ? [...match[1]!].map((d) => d + d).join('') : match[1]!;
  return [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16)) as [number, number, number];
}

const toHex = (rgb: readonly number[]) => `#${rgb.map((c) => Math.round(Math.min(255, Math.max(0, c))).toString(16).padStart(2, '0')).join('')}`;

/** WCAG relative luminance of an sRGB colour. */
export function luminance(rgb: readonly number[]): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const la = luminance(parseHex(a)!);
  const lb = luminance(parseHex(b)!);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Black or white, whichever reads better on `background`. */
export function readableOn(background: string): string {
  return contrastRatio(background, '#ffffff') >= contrastRatio(background, INK) ? '#ffffff' : INK;
}

/** The colour itself when it reads on `background`, else the nearest darker shade that does. */
export function inkOn(color: string, background = PAGE_BACKGROUND): string {
  const rgb = parseHex(color);
  if (!rgb) return INK;
  for (let f = 1; f >= 0; f -= 0.05) {
    const shade = toHex(rgb.map((c) => c * f));
    if (contrastRatio(shade, background) >= MIN_CONTRAST) return shade;
  }
  return INK;
}

/** The colour as a surface when black or white text reads on it, else the nearest darker shade on which white does. */
export function surfaceOf(color: string): string {
  return contrastRatio(color, readableOn(color)) >= MIN_CONTRAST ? color : inkOn(color);
}

/**
 * The CSS custom properties that theme every page: the tenant's colours for surfaces (header,
 * buttons) with a text colour that reads on them (a mid-tone no text reads on is darkened), and shades of them that read as text on
 * the page, so any colour a tenant picks stays accessible.
 */
export function brandingTheme(branding: Branding | null | undefined): Record<string, string> {
  const primary = surfaceOf(branding?.primaryColor && parseHex(branding.primaryColor) ? toHex(parseHex(branding.primaryColor)!) : DEFAULT_PRIMARY);
  const accent = surfaceOf(branding?.accentColor && parseHex(branding.accentColor) ? toHex(parseHex(branding.accentColor)!) : DEFAULT_ACCENT);
  return {
    '--brand-primary': primary,
    '--brand-on-primary': readableOn(primary),
    '--brand-primary-ink': inkOn(primary),
    '--brand-accent': accent,
    '--brand-on-accent': readableOn(accent),
    '--brand-accent-ink': inkOn(accent),
  };
}

/** The name the console shows for the tenant: its display name, else its name. */
export function brandName(branding: Branding | null | undefined, tenantName: string | undefined): string {
  return branding?.displayName?.trim() || tenantName || 'Switchyard';
}
