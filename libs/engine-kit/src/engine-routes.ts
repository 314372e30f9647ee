import express from 'express';
import { runContext } from './budgeted-llm.ts';
import {
  ErrorCode,
  SwitchyardError,
  EngineRunRequest,
  type EngineEvent,
  type EngineRunResult,
  type EngineStreamMessage,
  type TenantContext,
} from '@switchyard/contracts';
import { SpanKind, connectionFailed, inSpan, requireTenantContext, runLogger, type ContextTokens, type Logger } from '@switchyard/service-kit';

/**
 * A failure that says nothing about the workflow: a dependency (billing, tenants, the store, the
 * model) was unavailable or its connection was lost. The run is retried from its checkpoint rather
 * than failed; engines rethrow these instead of turning them into FAILED results.
 */
export function isTransientFailure(error: unknown): boolean {
  return (error instanceof SwitchyardError && error.code === ErrorCode.UNAVAILABLE) || connectionFailed(error) || error instanceof RunSupersededError;
}

/** Another run of the same workflow wrote its state after this one last did: this run stops, its result unsaid. */
export class RunSupersededError extends Error {}

/** What an engine implements: run (or continue) one workflow, reporting events as they happen. */
export interface Engine {
  run(request: EngineRunRequest, io: EngineRunIO): Promise<EngineRunResult>;
  /**
   * Check a definition before a workflow is accepted; return one message per problem, each naming
   * its path (e.g. `definition.tasks[1].agent: no agent with role "editor"`). Empty: valid.
   */
  validate?(definition: unknown, tenant: TenantContext): Promise<string[]> | string[];
}

export interface EngineRunIO {
  tenant: TenantContext;
  /** Report an event; the orchestrator numbers and stores it. */
  emit(event: EngineEvent): void;
  /** Aborted when the orchestrator goes away or cancels the workflow: stop, and stop model calls. */
  signal: AbortSignal;
  logger: Logger;
}

/**
 * Mount the engine protocol on a service: POST /engine/runs takes an EngineRunRequest and answers
 * with newline-delimited EngineStreamMessage JSON (events, then one result). A disconnect by the
 * orchestrator aborts the run; the engine's checkpoints let the next request continue it.
 */
export function mountEngineRoutes(app: express.Express, engine: Engine, tokens: ContextTokens, logger: Logger): void {
  // The orchestrator asks this before it accepts a workflow for the engine.
  app.get('/engine/info', requireTenantContext(tokens), (_req, res) => {
    res.json({ available: true });
  });
  app.post('/engine/validate', requireTenantContext(tokens), express.json({ limit: '1mb' }), async (req, res) => {
    const problems = (await engine.validate?.(req.body?.definition ?? null, res.locals.tenant as TenantContext)) ?? [];
    res.json({ problems });
  });
  app.post('/engine/runs', requireTenantContext(tokens), express.json({ limit: '5mb' }), async (req, res) => {
    const parsed = EngineRunRequest.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return;
    }
    const tenant = res.locals.tenant as TenantContext;
    if (tenant.tenantId !== parsed.data.state.tenantId) {
      res.status(403).json({ error: 'The run belongs to another tenant.' });
      return;
    }
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new Error('orchestrator disconnected'));
    });
    res.status(200).setHeader('content-type', 'application/x-ndjson');
    res.flushHeaders();
    // The events of one turn of the event loop (a step's completion, its state, the next step's
    // start) go out in one write, so the orchestrator stores them in one transaction; a turn later at most.
    let pending = '';
    let flushing: NodeJS.Immediate | undefined;
    const flush = () => {
      clearImmediate(flushing);
      flushing = undefined;
      if (pending && !res.writableEnded && !res.destroyed) res.write(pending);
      pending = '';
    };
    const write = (message: EngineStreamMessage) => {
      pending += `${JSON.stringify(message)}\n`;
      if (message.kind === 'result') flush();
      else flushing ??= setImmediate(flush);
    };
    let result: EngineRunResult;
    try {
      const { state } = parsed.data;
      const framework = state.selectedFramework;
      // The run is the agent's invocation (GenAI conventions); its model and tool calls are its children.
      const agentSpan = {
        kind: SpanKind.INTERNAL,
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': `${framework.toLowerCase()} ${state.workflowType}`,
          'switchyard.framework': framework,
          'switchyard.workflow.id': state.workflowId,
          ...(tenant.tenantId ? { 'switchyard.tenant.id': tenant.tenantId } : {}),
        },
      };
      result = await inSpan(`invoke_agent ${framework.toLowerCase()}`, agentSpan, () =>
        runContext.run({ tenant, workflowId: state.workflowId, startedAt: Date.parse(state.startTime), framework, keepPrompts: parsed.data.telemetry?.keepPrompts === true }, () =>
          engine.run(parsed.data, {
            tenant,
            emit: (event) => write({ kind: 'event', event }),
            signal: controller.signal,
            logger: runLogger(logger, { tenantId: tenant.tenantId, workflowId: state.workflowId }, parsed.data.telemetry),
          }),
        ),
      );
    } catch (error) {
      if (controller.signal.aborted) {
        clearImmediate(flushing);
        res.end();
        return;
      }
      if (isTransientFailure(error)) {
        // A dependency (billing, the model, the store) is down for now: the code UNAVAILABLE tells the
        // orchestrator to run the workflow again later from its last checkpoint instead of failing it.
        logger.warn({ err: error, workflowId: parsed.data.state.workflowId }, 'engine run stopped: a dependency is unavailable; the orchestrator will retry');
        write({ kind: 'result', result: { status: 'FAILED', error: (error as Error).message, code: ErrorCode.UNAVAILABLE } });
        res.end();
        return;
      }
      logger.error({ err: error, workflowId: parsed.data.state.workflowId }, 'engine run failed');
      result = { status: 'FAILED', error: (error as Error).message, ...(error instanceof SwitchyardError ? { code: error.code } : {}) };
    }
    write({ kind: 'result', result });
    res.end();
  });
}
