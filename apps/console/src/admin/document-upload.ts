/** How a file becomes an ingestDocument input: PDF as base64, text formats as text. */
export function mimeTypeOf(fileName: string, browserType: string): 'application/pdf' | 'text/markdown' | 'text/html' | 'text/plain' {
  const lower = fileName.toLowerCase();
  if (browserType === 'application/pdf' || lower.endsWith('.pdf')) return 'application/pdf';
  if (browserType === 'text/markdown' || lower.endsWith('.md') || lower.endsWith('.markdown')) return 'text/markdown';
  if (browserType === 'text/html' || lower.endsWith('.html') || lower.endsWith('.htm')) return 'text/html';
  return 'text/plain';
}

export function base64Of(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function documentInput(fileName: string, browserType: string, bytes: Uint8Array, title?: string): { title: string; mimeType: string; content: string } {
  const mimeType = mimeTypeOf(fileName, browserType);
  return {
    title: title?.trim() || fileName.replace(/\.[^.]+$/, ''),
    mimeType,
    content: mimeType === 'application/pdf' ? base64Of(bytes) : new TextDecoder().decode(bytes),
  };
}
