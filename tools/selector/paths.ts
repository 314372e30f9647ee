export { DATA_DIR, MODEL_DIR } from '../../apps/selection/src/model/model-files.ts';
