import { readFileSync, writeFileSync } from 'node:fs';
import { API_SCHEMA_FILE, SUPERGRAPH_FILE, composeSupergraph } from './supergraph-composition.ts';

// `npm run compose` writes supergraph.graphql and the client's API schema; `-- --check` only verifies them.
const check = process.argv.includes('--check');
const { supergraphSdl, apiSchemaSdl } = composeSupergraph();
let stale = false;
for (const [file, content] of [
  [SUPERGRAPH_FILE, supergraphSdl],
  [API_SCHEMA_FILE, apiSchemaSdl],
] as const) {
  const current = (() => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  })();
  if (current === content) continue;
  if (check) {
    console.error(`${file} is stale: run npm run compose`);
    stale = true;
  } else {
    writeFileSync(file, content);
    console.log(`wrote ${file}`);
  }
}
process.exit(stale ? 1 : 0);
