import { fileURLToPath } from 'node:url';

/** Where the checked-in model, reports and data live (apps/selection/model, apps/selection/data). */
export const MODEL_DIR = fileURLToPath(new URL('../../model', import.meta.url));
export const DATA_DIR = fileURLToPath(new URL('../../data', import.meta.url));
