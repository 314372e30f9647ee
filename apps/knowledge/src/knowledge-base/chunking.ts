const TARGET_CHUNK_CHARS = 800;

/** Split text into chunks of whole paragraphs (or sentences, for long paragraphs) of about 800 characters. */
export function chunkText(text: string): string[] {
  const paragraphs = text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  const pieces = paragraphs.flatMap((p) => (p.length <= TARGET_CHUNK_CHARS ? [p] : p.split(/(?<=[.!?])\s+/)));
  const chunks: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current && current.length + piece.length + 1 > TARGET_CHUNK_CHARS) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n${piece}` : piece;
  }
  if (current) chunks.push(current);
  return chunks;
}

/** Plain text from the supported formats; HTML loses its tags, scripts and styles. */
export function extractText(content: string, mimeType: string): string {
  if (mimeType === 'text/html') {
    return content
      .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<\/(p|div|h[1-6]|li|br|tr)>/gi, '\n\n')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&nbsp;/g, ' ')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/[ \t]+/g, ' ');
  }
  return content;
}

const STOPWORDS = new Set('a an and are as at be by for from has have in is it its of on or that the this to was were will with'.split(' '));

export function terms(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9$#]+/)
    .filter((t) => t.length > 1 && !STOPWORDS.has(t));
}
