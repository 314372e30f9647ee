import { SERVICES, type ServiceName } from '@switchyard/stack';

export type SubgraphName = Exclude<ServiceName, 'gateway' | 'llm-simulator'>;

/** Every subgraph service composed behind the gateway, with its default local port (from the platform's service list). */
export const SUBGRAPHS = SERVICES.filter((service): service is (typeof SERVICES)[number] & { name: SubgraphName } => service.name !== 'gateway' && service.name !== 'llm-simulator');
