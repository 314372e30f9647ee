import { DefaultAzureCredential } from '@azure/identity';
import type { ConnectionPolicy } from '@azure/cosmos';
import type { TokenCredential } from '@azure/core-auth';
import type { StoreEnv } from './index.ts';

export interface CosmosConnection {
  endpoint: string;
  key?: string;
  credential?: TokenCredential;
  databaseId: string;
  connectionPolicy?: Partial<ConnectionPolicy>;
}

let sharedCredential: TokenCredential | undefined;

/**
 * How a service reaches Cosmos DB from its settings: the account key when COSMOS_KEY is set, else
 * Microsoft Entra ID through DefaultAzureCredential (workload identity on AKS, no secret at all);
 * COSMOS_PREFERRED_REGIONS (comma-separated, nearest first) orders the regions reads and writes go to,
 * so a replica uses its own region and fails over down the list.
 */
export function cosmosConnection(env: StoreEnv): CosmosConnection {
  if (!env.COSMOS_ENDPOINT) throw new Error('STORE_DRIVER=cosmos needs COSMOS_ENDPOINT (and COSMOS_KEY, or an Entra ID identity with a Cosmos DB data role).');
  const regions = (env.COSMOS_PREFERRED_REGIONS ?? '')
    .split(',')
    .map((region) => region.trim())
    .filter(Boolean);
  return {
    endpoint: env.COSMOS_ENDPOINT,
    ...(env.COSMOS_KEY ? { key: env.COSMOS_KEY } : { credential: (sharedCredential ??= new DefaultAzureCredential()) }),
    databaseId: env.COSMOS_DATABASE ?? 'switchyard',
    ...(regions.length > 0 ? { connectionPolicy: { preferredLocations: regions } } : {}),
  };
}
