import { createHash } from 'node:crypto';

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX = 64;
const HASH_LENGTH = 8;

/**
 * The registry name of an MCP server's tool: "<server>__<tool>", so two servers' tools never collide,
 * within the OpenAI function-name rule ^[a-zA-Z0-9_-]{1,64}$. A tool name with other characters
 * ("files.read", "search/web") or too long gets them replaced by "_", is cut, and ends in "_" and
 * eight hex digits of a hash of the server and original name: deterministic, so the name a model saw
 * in one run still works after a reconnect, and distinct, so "a.b" and "a_b" do not meet.
 */
export function mcpToolName(server: string, tool: string): string {
  const plain = `${server}__${tool}`;
  if (FUNCTION_NAME.test(plain)) return plain;
  const hash = createHash('sha256').update(`${server}\0${tool}`).digest('hex').slice(0, HASH_LENGTH);
  const cleaned = `${server}__${tool.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  return `${cleaned.slice(0, MAX - HASH_LENGTH - 1)}_${hash}`;
}
