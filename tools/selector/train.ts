import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { FrameworkModel, ModelArtifact } from '../../apps/selection/src/model/framework-model.ts';
import { readLabeledJsonl } from '../../apps/selection/src/model/labeled-example.ts';
import { LABELS, crossValidate, evaluate, fitTemperature, trainArtifact, type Candidate, type CrossValidation } from '../../apps/selection/src/model/training.ts';
import { DATA_DIR, MODEL_DIR } from './paths.ts';
import { renderReport } from './report.ts';

// npm run selector:train [-- extra.jsonl ...] [--version N]
// Tunes on the train split only (5-fold CV), calibrates on out-of-fold logits, fits on all of train
// (plus any extra files such as exported feedback), and scores the untouched test split once.
const args = process.argv.slice(2);
const versionFlag = args.indexOf('--version');
const extraFiles = args.filter((a, i) => !a.startsWith('--') && (versionFlag < 0 || i !== versionFlag + 1));
const existing = readdirSync(MODEL_DIR)
  .map((f) => /^framework-recommender-v(\d+)\.json$/.exec(f)?.[1])
  .filter((v): v is string => v !== undefined)
  .map(Number);
const n = versionFlag >= 0 ? Number(args[versionFlag + 1]) : Math.max(0, ...existing) + 1;
if (!Number.isInteger(n) || n < 1) throw new Error('--version takes a positive integer');
const version = `framework-recommender-v${n}`;

const SEED = 7;
const FOLDS = 5;
const train = readLabeledJsonl(`${DATA_DIR}/train.jsonl`);
const extra = extraFiles.flatMap((f) => readLabeledJsonl(f));
const test = readLabeledJsonl(`${DATA_DIR}/test.jsonl`);
const trainingSet = [...train, ...extra];
console.log(`train ${train.length} + extra ${extra.length} (${extraFiles.join(', ') || 'none'}), test ${test.length}`);

const grid: Candidate[] = [];
for (const l2 of [1e-4, 3e-4, 1e-3, 3e-3])
  for (const blockWeights of [
    { word: 1, char: 1, signal: 0.5, hint: 0.7 },
    { word: 1, char: 0.7, signal: 1, hint: 1 },
    { word: 1, char: 1, signal: 0, hint: 0.7 },
  ])
    for (const normFloorQuantile of [0, 0.5]) grid.push({ l2, features: { minDf: 2, blockWeights, normFloorQuantile } });

let best: CrossValidation | null = null;
const started = Date.now();
const tuning = grid.map((candidate) => {
  const cv = crossValidate(trainingSet, candidate, FOLDS, SEED);
  console.log(`  l2=${candidate.l2} weights=${JSON.stringify(candidate.features.blockWeights)} normFloor=${candidate.features.normFloorQuantile}: cv accuracy ${cv.accuracy.toFixed(4)}, nll ${cv.nll.toFixed(4)}`);
  if (!best || cv.accuracy > best.accuracy + 1e-9 || (Math.abs(cv.accuracy - best.accuracy) < 1e-9 && cv.nll < best.nll)) best = cv;
  return { l2: candidate.l2, blockWeights: candidate.features.blockWeights, normFloorQuantile: candidate.features.normFloorQuantile, cvAccuracy: cv.accuracy, cvNll: cv.nll };
});
const chosen = best as unknown as CrossValidation;
const labels = trainingSet.map((e) => LABELS.indexOf(e.label));
const temperature = fitTemperature(chosen.oofLogits, labels);
console.log(`chosen l2=${chosen.candidate.l2} ${JSON.stringify(chosen.candidate.features.blockWeights)}; temperature ${temperature.toFixed(3)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

const artifact = trainArtifact(trainingSet, chosen.candidate, temperature, version, {
  trainExamples: train.length,
  extraExamples: extra.length,
  extraFiles,
  folds: FOLDS,
  seed: SEED,
  cvAccuracy: chosen.accuracy,
  grid: tuning,
});
const file = `${MODEL_DIR}/${version}.json`;
if (existsSync(file) && !args.includes('--force')) throw new Error(`${file} exists; pass --version N for a new version or --force to overwrite`);
const json = JSON.stringify(artifact);
// Score exactly what inference will load.
const model = new FrameworkModel(ModelArtifact.parse(JSON.parse(json)));
const result = evaluate(model, test);
writeFileSync(file, json + '\n');
const report = {
  version,
  createdAt: artifact.createdAt,
  testSplit: 'apps/selection/data/test.jsonl',
  testExamples: test.length,
  accuracy: result.accuracy,
  macroF1: result.macroF1,
  perClass: result.perClass,
  confusion: result.confusion,
  expectedCalibrationError: result.ece,
  negativeLogLikelihood: result.nll,
  temperature,
  crossValidation: { folds: FOLDS, seed: SEED, chosen: { l2: chosen.candidate.l2, ...chosen.candidate.features }, cvAccuracy: chosen.accuracy, grid: tuning },
  features: artifact.features.names.length,
  errors: result.errors,
};
writeFileSync(`${MODEL_DIR}/report-v${n}.json`, JSON.stringify(report, null, 2) + '\n');
writeFileSync(`${MODEL_DIR}/report-v${n}.md`, renderReport(report));
console.log(`test accuracy ${result.accuracy.toFixed(4)}, macro-F1 ${result.macroF1.toFixed(4)}, ECE ${result.ece.toFixed(4)} -> ${file}`);
