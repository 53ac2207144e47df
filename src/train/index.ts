export { runTraining, loopSettings, splitForValidation, evaluateTask } from './loop.js';
export type { TrainingTask, StepContext, StepLogs, FitOptions, History, LoopSettings } from './loop.js';
export type { Callback, Logs, TrainingControl } from './callbacks.js';
export { EarlyStopping } from './earlyStopping.js';
export type { EarlyStoppingOptions } from './earlyStopping.js';
export { ProgressLogger, formatLogs } from './progress.js';
export type { Verbosity } from './progress.js';
export { resolveOptimizer, OPTIMIZER_NAMES } from './optimizers.js';
export type { OptimizerSpec, OptimizerConfig, OptimizerName, ResolvedOptimizer } from './optimizers.js';
