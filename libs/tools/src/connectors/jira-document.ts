/** A node of Atlassian Document Format (the rich text of Jira Cloud REST v3). */
export interface AdfNode {
  type: string;
  text?: string;
  content?: AdfNode[];
  version?: number;
}

/**
 * Plain text as an ADF document: blank lines separate paragraphs, single line breaks become hard
 * breaks. Jira v3 takes descriptions and comment bodies only in this form.
 */
export function textToAdf(text: string): AdfNode {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.replace(/^\n+|\n+$/g, ''))
    .filter((paragraph) => paragraph.trim() !== '');
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((paragraph) => {
      const content: AdfNode[] = [];
      paragraph.split('\n').forEach((line, index) => {
        if (index > 0) content.push({ type: 'hardBreak' });
        if (line !== '') content.push({ type: 'text', text: line });
      });
      return { type: 'paragraph', content };
    }),
  };
}
