import { describe, expect, it } from 'vitest';
import { llmConfigFromEnv } from './llm-config.ts';

describe('llmConfigFromEnv', () => {
  it('defaults to the simulator with the documented defaults', () => {
    expect(llmConfigFromEnv({})).toEqual({
      provider: 'simulator',
      baseUrl: 'http://127.0.0.1:4010/v1',
      defaultModel: 'gpt-4o-mini',
      embeddingModel: 'text-embedding-3-small',
      timeoutMs: 60_000,
      maxRetries: 3,
    });
  });

  it('reads each provider, treating empty values as unset', () => {
    expect(llmConfigFromEnv({ LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-1', OPENAI_BASE_URL: '', LLM_MODEL: 'gpt-4.1', LLM_TIMEOUT_MS: '5000' })).toMatchObject({
      provider: 'openai',
      apiKey: 'sk-1',
      defaultModel: 'gpt-4.1',
      timeoutMs: 5000,
    });
    expect(llmConfigFromEnv({ LLM_PROVIDER: 'openai-compatible', LLM_BASE_URL: 'http://localhost:11434/v1', LLM_MAX_RETRIES: '0' })).toMatchObject({
      provider: 'openai-compatible',
      baseUrl: 'http://localhost:11434/v1',
      maxRetries: 0,
    });
    const azure = llmConfigFromEnv({ LLM_PROVIDER: 'azure-openai', AZURE_OPENAI_ENDPOINT: 'https://acme.openai.azure.com' });
    expect(azure).toMatchObject({ provider: 'azure-openai', endpoint: 'https://acme.openai.azure.com', apiVersion: '2024-10-21' });
    expect(azure).not.toHaveProperty('apiKey'); // → Entra ID
  });

  it('reports every invalid variable in one error', () => {
    const attempt = (env: NodeJS.ProcessEnv) => () => llmConfigFromEnv(env);
    expect(attempt({ LLM_PROVIDER: 'azure-openai', AZURE_OPENAI_API_VERSION: 'latest', LLM_TIMEOUT_MS: 'soon', LLM_MAX_RETRIES: '99' })).toThrow(
      /AZURE_OPENAI_ENDPOINT: is required[\s\S]*AZURE_OPENAI_API_VERSION: must look like[\s\S]*LLM_TIMEOUT_MS[\s\S]*LLM_MAX_RETRIES/,
    );
    expect(attempt({ LLM_PROVIDER: 'openai' })).toThrow(/OPENAI_API_KEY: is required/);
    expect(attempt({ LLM_PROVIDER: 'openai-compatible', LLM_BASE_URL: 'localhost' })).toThrow(/LLM_BASE_URL: must be an http\(s\) URL/);
    expect(attempt({ LLM_PROVIDER: 'bedrock', LLM_TIMEOUT_MS: '-1' })).toThrow(/LLM_PROVIDER: must be one of[\s\S]*LLM_TIMEOUT_MS/);
  });
});
