export interface ChunkingOptions {
  /** Characters of body text a chunk aims for (its heading and overlap come on top). Default 800. */
  targetChars?: number;
  /** Characters of the previous chunk's end repeated at the start of the next one in the same section. Default 150. */
  overlapChars?: number;
}

interface Section {
  heading: string | null;
  paragraphs: string[];
}

const HEADING = /^#{1,6}\s+\S/;

/** Blank-line separated blocks, grouped under the nearest Markdown heading (`#`...`######`). */
function sections(text: string): Section[] {
  const result: Section[] = [{ heading: null, paragraphs: [] }];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const lines = block.split('\n').map((l) => l.trim());
    let body: string[] = [];
    for (const line of lines) {
      if (HEADING.test(line)) {
        if (body.length) result.at(-1)!.paragraphs.push(body.join('\n'));
        body = [];
        const previous = result.at(-1)!;
        // A heading directly under another keeps both, so the inner one's chunks still say where they are.
        if (previous.paragraphs.length === 0 && previous.heading !== null) previous.heading = `${previous.heading}\n${line}`;
        else result.push({ heading: line, paragraphs: [] });
      } else if (line) {
        body.push(line);
      }
    }
    if (body.length) result.at(-1)!.paragraphs.push(body.join('\n'));
  }
  return result.filter((s) => s.paragraphs.length > 0 || s.heading !== null);
}

/** Sentences of a paragraph; a "sentence" longer than `max` (no punctuation, as in tables or PDF text) is cut at word boundaries. */
function pieces(paragraph: string, max: number): string[] {
  if (paragraph.length <= max) return [paragraph];
  return paragraph.split(/(?<=[.!?])\s+/).flatMap((sentence) => {
    if (sentence.length <= max) return [sentence];
    const cut: string[] = [];
    let current = '';
    for (const word of sentence.split(/\s+/)) {
      if (current && current.length + word.length + 1 > max) {
        cut.push(current);
        current = '';
      }
      current = current ? `${current} ${word}` : word.slice(0, max);
    }
    if (current) cut.push(current);
    return cut;
  });
}

/** The end of a chunk to repeat at the start of the next: whole sentences if they fit, else whole words. */
function tail(body: string, overlap: number): string {
  if (overlap <= 0) return '';
  const sentences = body.split(/(?<=[.!?])\s+/);
  let taken = '';
  for (let i = sentences.length - 1; i >= 0; i--) {
    const next = taken ? `${sentences[i]} ${taken}` : sentences[i]!;
    if (next.length > overlap) break;
    taken = next;
  }
  if (taken && taken !== body) return taken;
  const words = body.split(/\s+/);
  taken = '';
  for (let i = words.length - 1; i >= 0; i--) {
    const next = taken ? `${words[i]} ${taken}` : words[i]!;
    if (next.length > overlap) break;
    taken = next;
  }
  return taken === body ? '' : taken;
}

/**
 * Split text into chunks for retrieval: a chunk never crosses a heading (each chunk starts with its
 * section's heading), packs whole paragraphs up to the target size, splits long paragraphs at
 * sentences, and repeats the end of the previous chunk of the same section (whole sentences where
 * they fit) so a fact that straddles a boundary is still found whole in one chunk.
 */
export function chunkText(text: string, options: ChunkingOptions = {}): string[] {
  const target = options.targetChars ?? 800;
  const overlap = options.overlapChars ?? 150;
  const chunks: string[] = [];
  for (const section of sections(text)) {
    const prefix = section.heading ? `${section.heading}\n` : '';
    if (section.paragraphs.length === 0) {
      chunks.push(section.heading!);
      continue;
    }
    let body = '';
    let carried = '';
    const flush = () => {
      if (!body) return;
      chunks.push(`${prefix}${carried ? `${carried} ` : ''}${body}`);
      carried = tail(body, overlap);
      body = '';
    };
    for (const piece of section.paragraphs.flatMap((p) => pieces(p, target))) {
      if (body && body.length + piece.length + 1 > target) flush();
      body = body ? `${body}\n${piece}` : piece;
    }
    flush();
  }
  return chunks;
}

const STOPWORDS = new Set('a an and are as at be by for from has have in is it its of on or that the this to was were will with'.split(' '));

export function terms(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9$#]+/)
    .filter((t) => t.length > 1 && !STOPWORDS.has(t));
}
