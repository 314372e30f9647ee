/** One content block of an MCP tool result, as far as the platform reads it. */
export interface McpContentBlock {
  type: string;
  text?: string;
  data?: string;
  mimeType?: string;
  uri?: string;
  name?: string;
  size?: number;
  resource?: { uri: string; mimeType?: string; text?: string; blob?: string };
}

/** A tool result as returned by callTool (content, optional structuredContent, isError). */
export interface McpToolResult {
  content?: McpContentBlock[];
  structuredContent?: unknown;
  isError?: boolean;
}

/**
 * The text an agent reads for a tool result: text blocks joined by blank lines; images, audio and
 * resources described by their type, uri and size rather than dumped (base64 in a model's context
 * costs tokens and says nothing); structuredContent as JSON when the server sent no text.
 */
export function mcpResultText(result: McpToolResult): string {
  const parts = (result.content ?? []).map(describeBlock);
  if (!parts.some((part) => part.length > 0) && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return parts.filter((part) => part.length > 0).join('\n\n');
}

function describeBlock(block: McpContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text ?? '';
    case 'image':
    case 'audio':
      return `[${block.type}: ${block.mimeType ?? 'unknown type'}, ${formatBytes(base64Bytes(block.data ?? ''))}]`;
    case 'resource_link':
      return `[resource link: ${block.uri ?? '?'}${block.name ? ` "${block.name}"` : ''}${block.mimeType ? `, ${block.mimeType}` : ''}${block.size !== undefined ? `, ${formatBytes(block.size)}` : ''}]`;
    case 'resource': {
      const resource = block.resource;
      if (!resource) return '[resource]';
      const bytes = resource.text !== undefined ? Buffer.byteLength(resource.text, 'utf8') : base64Bytes(resource.blob ?? '');
      return `[resource: ${resource.uri}, ${resource.mimeType ?? (resource.text !== undefined ? 'text' : 'binary')}, ${formatBytes(bytes)}]`;
    }
    default:
      return `[${block.type} content]`;
  }
}

function base64Bytes(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
