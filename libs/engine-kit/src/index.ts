export * from './engine-routes.ts';
