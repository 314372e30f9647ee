import { FrameworkModel, latestModelFile } from '../../apps/selection/src/model/framework-model.ts';
import { readLabeledJsonl } from '../../apps/selection/src/model/labeled-example.ts';
import { formatConfusion } from '../../apps/selection/src/model/metrics.ts';
import { evaluate } from '../../apps/selection/src/model/training.ts';
import { MODEL_DIR } from './paths.ts';

// npm run selector:eval -- <file.jsonl> [--model path/to/framework-recommender-vN.json]
const args = process.argv.slice(2);
const modelFlag = args.indexOf('--model');
const modelFile = modelFlag >= 0 ? args[modelFlag + 1]! : latestModelFile(MODEL_DIR);
const files = args.filter((a, i) => !a.startsWith('--') && (modelFlag < 0 || i !== modelFlag + 1));
if (!files.length) {
  console.error('usage: npm run selector:eval -- <labeled.jsonl> [more.jsonl ...] [--model <model.json>]');
  process.exit(2);
}
const model = FrameworkModel.load(modelFile);
const examples = files.flatMap((f) => readLabeledJsonl(f));
const r = evaluate(model, examples);
console.log(`${model.version} on ${files.join(', ')} (${r.total} examples)`);
console.log(`accuracy  ${(r.accuracy * 100).toFixed(2)}%`);
console.log(`macro-F1  ${r.macroF1.toFixed(4)}`);
console.log(`ECE       ${r.ece.toFixed(4)}`);
for (const label of model.labels) {
  const m = r.perClass[label]!;
  console.log(`  ${label.padEnd(10)} precision ${m.precision.toFixed(3)}  recall ${m.recall.toFixed(3)}  F1 ${m.f1.toFixed(3)}  n=${m.support}`);
}
console.log(`\n${formatConfusion(model.labels, r.confusion)}`);
