export {
  StoreCheckpointSaver,
  CHECKPOINT_COLLECTIONS,
  type StoreCheckpointSaverOptions,
} from './store-checkpoint-saver.ts';
