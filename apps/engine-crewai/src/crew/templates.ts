/**
 * Built-in crews, addressable as definition {"template": "<name>"}. `{input}` in any text is the
 * workflow's input (and other `{key}` placeholders come from kickoffForEach inputs).
 */
export const CREW_TEMPLATES: Record<string, Record<string, unknown>> = {
  // The blueprint's example: a manager with a researcher, an analyst and a writer.
  'market-research': {
    name: 'Market research crew',
    process: 'hierarchical',
    agents: [
      {
        role: 'Market Researcher',
        goal: 'Gather current, relevant facts about the market, competitors and customers for: {input}',
        backstory: 'You are a meticulous market researcher who separates facts from assumptions and notes where each fact came from.',
        tools: ['current_time'],
      },
      {
        role: 'Market Analyst',
        goal: 'Turn research into market size, trends, competitive position and opportunities for: {input}',
        backstory: 'You are a senior analyst who quantifies what can be quantified and states the assumptions behind every estimate.',
      },
      {
        role: 'Report Writer',
        goal: 'Write a clear, well-structured market analysis report for decision makers about: {input}',
        backstory: 'You are a business writer who turns analysis into concise reports with an executive summary and recommendations.',
      },
    ],
    tasks: [
      {
        name: 'research',
        description: 'Research the market for this request: {input}. Cover the main competitors, customer segments, recent developments and sources.',
        expectedOutput: 'A list of findings, each with its source or basis, grouped by competitors, customers and trends.',
        agent: 'Market Researcher',
      },
      {
        name: 'analysis',
        description: 'Analyse the research findings for: {input}. Estimate market size and growth, compare competitors, and identify opportunities and risks.',
        expectedOutput: 'An analysis with market size and growth estimates, a competitor comparison, and the top opportunities and risks.',
        agent: 'Market Analyst',
        context: ['research'],
      },
      {
        name: 'report',
        description: 'Write the market analysis report for: {input}, based on the research and the analysis.',
        expectedOutput: 'A market analysis report with an executive summary, market overview, competitive landscape, opportunities, risks and recommendations.',
        agent: 'Report Writer',
        context: ['research', 'analysis'],
      },
    ],
  },
  'content-team': {
    name: 'Content team',
    process: 'sequential',
    agents: [
      {
        role: 'Content Strategist',
        goal: 'Define the angle, audience, key messages and outline for: {input}',
        backstory: 'You are a content strategist who knows what an audience needs to hear and in which order.',
      },
      {
        role: 'Content Writer',
        goal: 'Write engaging, accurate content that follows the strategy for: {input}',
        backstory: 'You are a versatile writer with a clear, friendly voice.',
      },
      {
        role: 'Editor',
        goal: 'Polish the draft for clarity, correctness and tone, and make sure it follows the strategy',
        backstory: 'You are an exacting editor who improves every sentence without changing what it means.',
      },
    ],
    tasks: [
      {
        name: 'strategy',
        description: 'Create a content strategy for: {input}. Name the audience, the angle, three key messages and an outline.',
        expectedOutput: 'A short strategy: audience, angle, key messages and a section outline.',
        agent: 'Content Strategist',
      },
      {
        name: 'draft',
        description: 'Write the content for: {input}, following the strategy and its outline.',
        expectedOutput: 'A complete draft with a title and every section of the outline.',
        agent: 'Content Writer',
      },
      {
        name: 'edit',
        description: 'Edit the draft into its final form, keeping to the strategy.',
        expectedOutput: 'The final, publication-ready text.',
        agent: 'Editor',
        context: ['strategy', 'draft'],
      },
    ],
  },
  'due-diligence': {
    name: 'Due diligence team',
    process: 'hierarchical',
    manager: {
      role: 'Due Diligence Lead',
      goal: 'Deliver a balanced due diligence assessment for: {input}',
      backstory: 'You lead due diligence engagements: you brief specialists precisely, challenge their findings, and write the final assessment yourself from their work.',
    },
    agents: [
      {
        role: 'Financial Analyst',
        goal: 'Assess financial health, revenue quality, unit economics and valuation for: {input}',
        backstory: 'You are a chartered financial analyst who has reviewed hundreds of acquisition targets.',
        tools: ['calculator'],
      },
      {
        role: 'Legal Counsel',
        goal: 'Identify legal, regulatory, contractual and IP risks for: {input}',
        backstory: 'You are a corporate lawyer specialised in M&A who spots liabilities others miss.',
      },
      {
        role: 'Technology Assessor',
        goal: 'Evaluate the technology, architecture, security and technical debt for: {input}',
        backstory: 'You are a former CTO who assesses engineering organisations and their systems.',
      },
    ],
    tasks: [
      {
        name: 'financial-review',
        description: 'Review the finances of the target in: {input}. Cover revenue, margins, cash flow and valuation.',
        expectedOutput: 'Financial findings with red flags and the figures they rest on.',
        agent: 'Financial Analyst',
        asyncExecution: true,
      },
      {
        name: 'legal-review',
        description: 'Review the legal position of the target in: {input}. Cover contracts, litigation, compliance and IP.',
        expectedOutput: 'Legal findings ranked by risk.',
        agent: 'Legal Counsel',
        asyncExecution: true,
      },
      {
        name: 'technology-review',
        description: 'Review the technology of the target in: {input}. Cover architecture, security, scalability and technical debt.',
        expectedOutput: 'Technology findings ranked by risk.',
        agent: 'Technology Assessor',
        asyncExecution: true,
      },
      {
        name: 'assessment',
        description: 'Combine the financial, legal and technology reviews into a due diligence assessment for: {input}.',
        expectedOutput: 'An assessment with a summary, the key risks per area, deal breakers if any, and a recommendation.',
        context: ['financial-review', 'legal-review', 'technology-review'],
      },
    ],
  },
};

export const TEMPLATE_NAMES = Object.keys(CREW_TEMPLATES);

const KEYWORDS: Array<[template: string, pattern: RegExp]> = [
  ['due-diligence', /\b(due[\s-]diligence|acquisition|acquire|merger|m&a|invest(?:ment|or)?|target company|valuation|audit)\b/i],
  ['content-team', /\b(blog|article|post|newsletter|copy|content|write-?up|press release|essay|social media|landing page)\b/i],
  ['market-research', /\b(market|competitor|competition|industry|research|trend|customer segment)\b/i],
];

/** The template that fits the request best, by keywords; market-research when nothing matches. */
export function pickTemplate(input: string): string {
  const scored = KEYWORDS.map(([template, pattern]) => [template, (input.match(new RegExp(pattern, 'gi')) ?? []).length] as const);
  const best = scored.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : 'market-research';
}
