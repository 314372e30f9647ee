import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FrameworkModel, describeEvidence, latestModelFile } from './framework-model.ts';
import { readLabeledJsonl } from './labeled-example.ts';
import { DATA_DIR, MODEL_DIR } from './model-files.ts';
import { evaluate } from './training.ts';

const file = latestModelFile(MODEL_DIR);
const model = FrameworkModel.load(file);
const n = /v(\d+)\.json$/.exec(file)![1];
const report = JSON.parse(readFileSync(`${MODEL_DIR}/report-v${n}.json`, 'utf8')) as { version: string; accuracy: number; macroF1: number; expectedCalibrationError: number };

describe(`the checked-in model (${model.version})`, () => {
  const test = readLabeledJsonl(`${DATA_DIR}/test.jsonl`);
  const result = evaluate(model, test);

  it('scores on the held-out test split exactly what its committed report says, and at least 85%', () => {
    expect(report.version).toBe(model.version);
    expect(result.total).toBe(test.length);
    expect(result.accuracy).toBeCloseTo(report.accuracy, 10);
    expect(result.macroF1).toBeCloseTo(report.macroF1, 10);
    expect(result.ece).toBeCloseTo(report.expectedCalibrationError, 10);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('never saw a test request during training', () => {
    const train = new Set(readLabeledJsonl(`${DATA_DIR}/train.jsonl`).map((e) => e.description.toLowerCase()));
    expect(test.filter((e) => train.has(e.description.toLowerCase()))).toEqual([]);
  });

  it('answers the same for the same request, also after loading the file again', () => {
    const request = 'Research competitors and write a market analysis with a researcher and a writer';
    const again = FrameworkModel.load(file);
    expect(model.predict(request)).toEqual(model.predict(request));
    expect(again.predict(request, { hierarchy: true })).toEqual(model.predict(request, { hierarchy: true }));
  });

  it('gives probabilities over the four frameworks that sum to one', () => {
    const { ranked } = model.predict('Process insurance claim #12345');
    expect(ranked.map((r) => r.framework).sort()).toEqual(['AUTOGEN', 'CREWAI', 'HYBRID', 'LANGGRAPH']);
    expect(ranked.reduce((s, r) => s + r.probability, 0)).toBeCloseTo(1, 9);
    expect(ranked[0]!.probability).toBeGreaterThanOrEqual(ranked[1]!.probability);
  });

  it('explains a recommendation with the phrases that weighed most', () => {
    const crew = model.predict('Put together a team of a researcher, an analyst and a writer to produce a report on the scooter market');
    expect(crew.ranked[0]!.framework).toBe('CREWAI');
    const words = describeEvidence(crew.evidence);
    expect(words).toMatch(/signals of a team of roles: /);
    expect(words).toMatch(/"researcher"|"writer"|"analyst"/);
    const code = model.predict('Write a log parser, run it on the sample file and fix it until it handles every line');
    expect(code.ranked[0]!.framework).toBe('AUTOGEN');
    expect(describeEvidence(code.evidence)).toMatch(/signals of a conversation or code loop: /);
  });

  it('reads hints as evidence that the text can outweigh', () => {
    const terse = 'Handle the request';
    const p = (hints: Record<string, unknown>) => model.probabilities(terse, hints)[model.labels.indexOf('CREWAI')]!;
    expect(p({ agents: ['a', 'b', 'c', 'd'], hierarchy: true, type: 'multi_agent_team' })).toBeGreaterThan(p({}));
    const text = 'Write a Python script that dedupes the CSV, run it on the sample and fix it until the counts match';
    expect(model.predict(text, { type: 'state_machine' }).ranked[0]!.framework).toBe('AUTOGEN');
  });
});
