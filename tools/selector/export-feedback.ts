import { writeFileSync } from 'node:fs';
import { SqliteStore } from '@switchyard/store';
import { toJsonl, type LabeledExample } from '../../apps/selection/src/model/labeled-example.ts';
import { recommendationRecords } from '../../apps/selection/src/recommender/recommendation-record.ts';
import { DATA_DIR } from './paths.ts';

// npm run selector:export-feedback -- <selection.db> [--out apps/selection/data/feedback.jsonl]
// Turns recommendations that received feedback into labeled examples for the next model version:
// the label is the correctFramework a user gave, or the recommended framework when they kept it and
// rated it 3 or better. Poorly rated recommendations without a correction are left out (no label).
const args = process.argv.slice(2);
const outFlag = args.indexOf('--out');
const out = outFlag >= 0 ? args[outFlag + 1]! : `${DATA_DIR}/feedback.jsonl`;
const db = args.find((a, i) => !a.startsWith('--') && (outFlag < 0 || i !== outFlag + 1));
if (!db) {
  console.error('usage: npm run selector:export-feedback -- <path/to/selection.db> [--out file.jsonl]   (npm start keeps it in .switchyard/data/selection.db)');
  process.exit(2);
}
const store = new SqliteStore({ filename: db });
const records = recommendationRecords(store);
const examples: LabeledExample[] = [];
const seen = new Set<string>();
let after: string | undefined;
do {
  const page = await records.queryAllTenants({ where: { outcome: { in: ['ACCEPTED', 'OVERRIDDEN'] } }, first: 500, after });
  for (const { doc } of page.items) {
    const label = doc.correctFramework ?? (doc.rating === null || doc.rating >= 3 ? doc.framework : null);
    const key = doc.description.toLowerCase();
    if (!label || seen.has(key)) continue;
    seen.add(key);
    examples.push(doc.hints ? { description: doc.description, hints: doc.hints, label } : { description: doc.description, label });
  }
  after = page.hasNextPage ? (page.endCursor ?? undefined) : undefined;
} while (after);
await store.close();
writeFileSync(out, examples.length ? toJsonl(examples) : '');
console.log(`${examples.length} labeled examples from feedback -> ${out} (train with: npm run selector:train -- ${out})`);
