import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { Framework } from '@switchyard/contracts';
import { readLabeledJsonl, seededRandom, shuffled, toJsonl, type LabeledExample } from '../../apps/selection/src/model/labeled-example.ts';
import { DATA_DIR } from './paths.ts';

// Done once, before any modelling: a stratified 75/25 split of the hand-written examples with a fixed
// seed. Both files are committed; rerunning needs --force so the test split cannot drift by accident.
const SEED = 20240611;
const TEST_SHARE = 0.25;

const train = `${DATA_DIR}/train.jsonl`;
const test = `${DATA_DIR}/test.jsonl`;
if ((existsSync(train) || existsSync(test)) && !process.argv.includes('--force')) {
  console.error(`${train} and ${test} exist; the split is fixed. Pass --force to redo it (only when the labeled set changed).`);
  process.exit(1);
}

const files = readdirSync(`${DATA_DIR}/labeled`).filter((f) => f.endsWith('.jsonl')).sort();
const all = files.flatMap((f) => readLabeledJsonl(`${DATA_DIR}/labeled/${f}`));
const seen = new Set<string>();
for (const e of all) {
  const key = e.description.toLowerCase();
  if (seen.has(key)) throw new Error(`duplicate description: ${e.description}`);
  seen.add(key);
}

const random = seededRandom(SEED);
const trainSet: LabeledExample[] = [];
const testSet: LabeledExample[] = [];
for (const label of Framework.options) {
  const group = shuffled(all.filter((e) => e.label === label), random);
  const nTest = Math.round(group.length * TEST_SHARE);
  testSet.push(...group.slice(0, nTest));
  trainSet.push(...group.slice(nTest));
}
writeFileSync(train, toJsonl(shuffled(trainSet, random)));
writeFileSync(test, toJsonl(shuffled(testSet, random)));
const count = (set: LabeledExample[]) => Framework.options.map((l) => `${l} ${set.filter((e) => e.label === l).length}`).join(', ');
console.log(`${all.length} examples from ${files.length} files -> train ${trainSet.length} (${count(trainSet)}), test ${testSet.length} (${count(testSet)})`);
