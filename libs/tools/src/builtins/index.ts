export { evaluateArithmetic } from './arithmetic.ts';
export { calculatorTool } from './calculator.ts';
export { currentTimeTool } from './current-time.ts';
export { wordCountTool } from './word-count.ts';
export { runCodeTool } from './run-code.ts';
export { knowledgeSearchTool, type KnowledgeHit, type KnowledgeSearcher } from './knowledge-search.ts';
