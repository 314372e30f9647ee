import type { Logger } from './logger.ts';

/**
 * The process side of a service: tell a parent launcher (over IPC, when there is one) that the
 * service is ready and where, and shut down gracefully on SIGTERM/SIGINT, running the given closers
 * in order (servers first, then stores) before exiting.
 */
export function announceReady(service: string, url: string): void {
  process.send?.({ type: 'ready', service, url });
}

export function onShutdown(logger: Logger, closers: Array<() => Promise<void> | void>): void {
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.warn('graceful shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    for (const [index, close] of closers.entries()) {
      const began = Date.now();
      try {
        await close();
        logger.debug({ step: index, ms: Date.now() - began }, 'shutdown step done');
      } catch (error) {
        logger.error({ err: error }, 'error during shutdown');
      }
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('disconnect', () => void shutdown('parent-disconnected'));
}

/** Run a service's main(); a failure to start is logged and exits non-zero. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : error);
    process.exit(1);
  });
}
