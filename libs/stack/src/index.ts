export * from './services.ts';
export * from './service-supervisor.ts';
