export { runHostileInput, type HostileInputFailure, type HostileInputOptions, type HostileInputReport, type HostileInputTarget, type RequestClass } from './hostile-input-suite.ts';
export { OperationGenerator, type GeneratedOperation, type ValueMode } from './operation-generator.ts';
export { checkHttpAnswer, checkWsOutcome, REFUSAL_CODES } from './response-check.ts';
export { runWsCase, type WsCase, type WsOutcome } from './ws-cases.ts';
export { SeededRandom } from './seeded-random.ts';
