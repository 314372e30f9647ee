// Loaded before @vercel/cosmosdb-server (by the local server's process and the store's Cosmos tests):
// makes its transactional batches all or nothing, as Cosmos DB's are. Plain JavaScript, no loader.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
atomicBatches();

/**
 * Cosmos DB runs a transactional batch (x-ms-cosmos-batch-atomic) all or nothing: when one operation
 * fails, none is applied, the failed one answers its status and the others 424. This server applies
 * the operations before the failure and keeps them; this handler, in place of its own, undoes them,
 * so the stores' batch semantics are tested as Cosmos DB has them. The operations run synchronously
 * after the body is read, so no other request sees a batch half applied.
 */
function atomicBatches() {
  if (atomicBatches.applied) return;
  atomicBatches.applied = true;
  const handler = require('@vercel/cosmosdb-server/lib/handler/batch-documents.js');
  const operations = require('@vercel/cosmosdb-server/lib/handler/_document-operations.js');
  const readJson = require('@vercel/cosmosdb-server/lib/json.js').default;
  const { parsePartitionKey } = require('@vercel/cosmosdb-server/lib/utils/get-partition-from-header.js');
  const run = { Create: operations.createOperation, Upsert: operations.upsertOperation, Read: operations.readOperation, Delete: operations.deleteOperation, Replace: operations.replaceOperation };
  const original = handler.default;
  handler.default = async (account, req, res, params) => {
    const atomic = String(req.headers['x-ms-cosmos-batch-atomic'] ?? '').toLowerCase() === 'true';
    if (!atomic) return original(account, req, res, params);
    const body = await readJson(req);
    const collection = account.database(params.dbId).collection(params.collId);
    if (!collection.read()) {
      res.statusCode = 404;
      return {};
    }
    if (!Array.isArray(body)) {
      res.statusCode = 400;
      return { message: 'Invalid request body' };
    }
    const partitionHeader = req.headers['x-ms-documentdb-partitionkey'];
    const undo = [];
    const results = [];
    for (const input of body) {
      const operation = run[input?.operationType];
      if (!operation) {
        res.statusCode = 400;
        return { message: `Operation type '${input?.operationType}' is not supported in Batch.` };
      }
      const withKey = input.partitionKey === undefined && partitionHeader !== undefined ? { ...input, partitionKey: partitionHeader } : input;
      const id = withKey.id ?? withKey.resourceBody?.id;
      const partitionKey = id === undefined ? undefined : parsePartitionKey(withKey.partitionKey, id);
      const before = id === undefined ? undefined : collection.document(id, partitionKey).read();
      const result = operation(collection, withKey);
      if (result.statusCode >= 400) {
        for (const restore of undo.reverse()) restore();
        return body.map((_, i) => (i === results.length ? { statusCode: result.statusCode, requestCharge: 0 } : { statusCode: 424, requestCharge: 0 }));
      }
      if (input.operationType !== 'Read') {
        undo.push(() => {
          if (collection.document(id, partitionKey).read()) collection.documents.delete(id, partitionKey);
          // The earlier version comes back exactly as it was, its etag included.
          if (before) collection.documents._set(before);
        });
      }
      results.push({ statusCode: result.statusCode, requestCharge: 1, eTag: result.body ? result.body._etag : undefined, resourceBody: result.body });
    }
    return results;
  };
}
