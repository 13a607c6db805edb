export { bundledSchedule, defaultMinHeaderWork } from './bundled.js';
export { decodeSchedule, encodeSchedule } from './codec.js';
export {
  checkHeaderAgainstSchedule,
  SCHEDULE_TIME_TOLERANCE,
  type ScheduleCheck,
  type ScheduleCheckOptions,
  type ScheduleFit,
  type ScheduleMisfit,
  type ScheduleStep,
} from './rules.js';
export { type DifficultySchedule, type ScheduleEpoch, scheduleEnd } from './types.js';
