export { startSimulator, parseFault, parseFaultRates } from './simulator-server.ts';
export type { Fault as SimulatorFault } from './simulator-server.ts';
export type { RunningSimulator, SimulatorOptions, SimulatorStats, SimulatorRequestRecord } from './simulator-server.ts';
export { simulateReply } from './simulated-replies.ts';
export type { SimulatedReply, WireChatRequest, WireMessage, WireTool } from './simulated-replies.ts';
export { embedText, DEFAULT_EMBEDDING_DIMENSIONS } from './embeddings.ts';
export { countTokens } from './text-tools.ts';
