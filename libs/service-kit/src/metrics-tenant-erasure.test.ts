import { describe, expect, it } from 'vitest';
import { ServiceMetrics } from './metrics.ts';

describe('ServiceMetrics.forgetTenant', () => {
  it("removes every series of the erased tenant (counters, gauges, histograms) and keeps the others'", async () => {
    const metrics = new ServiceMetrics('billing');
    const calls = metrics.counter('test_calls_total', 'calls', ['tenant', 'model']);
    const open = metrics.gauge('test_open', 'open', ['tenant']);
    const seconds = metrics.histogram('test_seconds', 'seconds', ['tenant']);
    const untouched = metrics.counter('test_plain_total', 'no tenant label', ['model']);
    for (const tenant of ['gone', 'stays']) {
      calls.inc({ tenant, model: 'gpt-4o-mini' });
      calls.inc({ tenant, model: 'gpt-4o' });
      open.set({ tenant }, 3);
      seconds.observe({ tenant }, 0.2);
    }
    untouched.inc({ model: 'gone' });
    expect(await metrics.forgetTenant('gone')).toBe(4);
    const text = await metrics.registry.metrics();
    expect(text).not.toContain('tenant="gone"');
    expect(text.match(/tenant="stays"/g)?.length).toBeGreaterThan(10);
    expect(text).toContain('test_plain_total{model="gone",service="billing"} 1');
    // Series of the erased tenant can start again only if something writes them again; nothing is left over.
    expect(await metrics.forgetTenant('gone')).toBe(0);
  });
});
