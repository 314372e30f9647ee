import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  CancelWorkflowDocument,
  ResumeWorkflowDocument,
  StartWorkflowDocument,
  SwitchyardClient,
  SwitchyardClientError,
  WorkflowDocument,
  WorkflowProgressDocument,
  WorkflowsDocument,
  type Framework,
  type WorkflowStatus,
} from '@switchyard/client';
import { resolveCliConfig, UsageError } from './cli-config.ts';
import { formatEvent } from './progress-display.ts';

const USAGE = `Usage: npm run switchyard -- <command> [options]

Commands:
  run "<input>" [--framework LANGGRAPH|CREWAI|AUTOGEN|HYBRID] [--definition file.json] [--no-follow]
                         start a workflow and follow its progress live
  status <id>            show a workflow
  list [--status S] [--first N]
                         list workflows, newest first
  resume <id> '<json>'   answer a workflow that is WAITING_FOR_INPUT
  cancel <id>            cancel a workflow

Options: --url <gateway graphql url> --key <api key> (default: SWITCHYARD_URL / SWITCHYARD_API_KEY, else .switchyard/dev.json)`;

const FRAMEWORKS = ['LANGGRAPH', 'CREWAI', 'AUTOGEN', 'HYBRID'];
const STATUSES = ['QUEUED', 'RUNNING', 'WAITING_FOR_INPUT', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      framework: { type: 'string' },
      definition: { type: 'string' },
      status: { type: 'string' },
      first: { type: 'string' },
      'no-follow': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const client = new SwitchyardClient(resolveCliConfig(values, process.env, process.cwd()));
  try {
    switch (command) {
      case 'run':
        return await run(client, args, values);
      case 'status':
        return await status(client, requireArg(args, 0, 'status <id>'));
      case 'list':
        return await list(client, values);
      case 'resume': {
        const id = requireArg(args, 0, "resume <id> '<json>'");
        const raw = requireArg(args, 1, "resume <id> '<json>'");
        let response: unknown;
        try {
          response = JSON.parse(raw);
        } catch {
          throw new UsageError(`The answer must be JSON, e.g. '{"approved": true}'; got ${raw}`);
        }
        const { resumeWorkflow } = await client.request(ResumeWorkflowDocument, { id, response });
        console.log(`${resumeWorkflow.id} ${resumeWorkflow.status}`);
        return 0;
      }
      case 'cancel': {
        const { cancelWorkflow } = await client.request(CancelWorkflowDocument, { id: requireArg(args, 0, 'cancel <id>') });
        console.log(`${cancelWorkflow.id} ${cancelWorkflow.status}`);
        return 0;
      }
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } finally {
    await client.close();
  }
}

function requireArg(args: string[], index: number, form: string): string {
  const value = args[index];
  if (!value) throw new UsageError(`Missing argument: ${form}`);
  return value;
}

async function run(client: SwitchyardClient, args: string[], flags: { framework?: string; definition?: string; 'no-follow'?: boolean }): Promise<number> {
  const input = requireArg(args, 0, 'run "<input>"');
  if (flags.framework && !FRAMEWORKS.includes(flags.framework)) throw new UsageError(`--framework must be one of ${FRAMEWORKS.join(', ')}.`);
  let definition: unknown = null;
  if (flags.definition) {
    try {
      definition = JSON.parse(readFileSync(flags.definition, 'utf8'));
    } catch (error) {
      throw new UsageError(`Cannot read the definition ${flags.definition}: ${(error as Error).message}`);
    }
  }
  const { startWorkflow } = await client.request(StartWorkflowDocument, {
    input: { input, framework: (flags.framework as Framework | undefined) ?? null, definition },
  });
  const recommended = startWorkflow.recommendation
    ? ` (recommended: ${startWorkflow.recommendation.framework}, confidence ${startWorkflow.recommendation.confidence.toFixed(2)}, ${startWorkflow.recommendation.modelVersion})`
    : '';
  console.log(`Workflow ${startWorkflow.id} on ${startWorkflow.framework}${recommended}`);
  if (flags['no-follow']) return 0;
  let last: WorkflowStatus | undefined;
  for await (const { workflowEvents } of client.subscribe(WorkflowProgressDocument, { workflowId: startWorkflow.id })) {
    console.log(formatEvent(workflowEvents));
    last = workflowEvents.workflow.status;
    if (workflowEvents.type === 'WAITING_FOR_INPUT') {
      console.log(`\nThe workflow waits for input. Answer with: npm run switchyard -- resume ${startWorkflow.id} '<json>'`);
      return 0;
    }
  }
  return await status(client, startWorkflow.id, last);
}

async function status(client: SwitchyardClient, id: string, _known?: WorkflowStatus): Promise<number> {
  const { workflow } = await client.request(WorkflowDocument, { id });
  if (!workflow) {
    console.error(`No workflow ${id} in this tenant.`);
    return 1;
  }
  console.log(`Workflow ${workflow.id}
  status:    ${workflow.status}
  framework: ${workflow.framework}
  input:     ${workflow.input}
  created:   ${workflow.createdAt}
  cost:      $${workflow.cost.totalUsd.toFixed(4)} (${workflow.cost.modelCalls} model calls)
  events:    ${workflow.events.length}`);
  if (workflow.pendingInput !== null && workflow.pendingInput !== undefined) console.log(`  waiting for: ${JSON.stringify(workflow.pendingInput)}`);
  if (workflow.error) console.log(`  error:     ${workflow.error}`);
  if (workflow.output) console.log(`\n${workflow.output}`);
  return workflow.status === 'FAILED' ? 1 : 0;
}

async function list(client: SwitchyardClient, flags: { status?: string; first?: string }): Promise<number> {
  if (flags.status && !STATUSES.includes(flags.status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}.`);
  const first = flags.first ? Number(flags.first) : 20;
  if (!Number.isInteger(first) || first < 1 || first > 100) throw new UsageError('--first must be a whole number from 1 to 100.');
  const { workflows } = await client.request(WorkflowsDocument, { first, status: (flags.status as WorkflowStatus | undefined) ?? null });
  if (workflows.edges.length === 0) console.log('No workflows.');
  for (const { node } of workflows.edges) {
    console.log(`${node.id}  ${node.status.padEnd(17)} ${node.framework.padEnd(9)} ${node.createdAt}  ${node.input.slice(0, 60)}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof SwitchyardClientError) {
      console.error(`Error: ${error.message}`);
      process.exit(1);
    }
    if (error instanceof Error && 'code' in error && (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
