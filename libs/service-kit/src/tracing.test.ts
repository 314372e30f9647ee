import { describe, expect, it } from 'vitest';
import { traceExporters, tracingEnv } from './tracing.ts';

const exportersFor = (env: Record<string, string>) => traceExporters(tracingEnv.parse(env));

describe('traceExporters', () => {
  it('is off when nothing is configured, or when disabled whatever else is set', () => {
    expect(exportersFor({})).toEqual([]);
    expect(exportersFor({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual([]);
    expect(exportersFor({ OTEL_TRACES_EXPORTER: 'none', APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=x' })).toEqual([]);
  });

  it('follows the endpoints and the connection string, and OTEL_TRACES_EXPORTER over both', () => {
    expect(exportersFor({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toEqual(['otlp']);
    expect(exportersFor({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=x' })).toEqual(['otlp', 'azure_monitor']);
    expect(exportersFor({ OTEL_TRACES_EXPORTER: 'console', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual(['console']);
  });

  it('refuses an exporter it does not know, naming the ones it does', () => {
    expect(() => exportersFor({ OTEL_TRACES_EXPORTER: 'otlp,zipkin' })).toThrow(/unknown exporter zipkin \(use otlp, azure_monitor, console or none\)/);
  });
});
