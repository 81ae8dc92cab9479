// Environment of one measurement: its own topics, database, consumer group and
// transactional id on the shared servers, so runs never see each other's data.
import type { StackEndpoints } from './stack-endpoints.js';

export function isolatedRunEnv(stack: StackEndpoints, run: string, partitions: number): Record<string, string> {
  return {
    ...stack,
    MONGODB_DATABASE: run.replace(/-/g, '_'),
    TOPIC_COMMANDS: `${run}.commands`,
    TOPIC_EVENTS: `${run}.events`,
    TOPIC_OUTCOMES: `${run}.outcomes`,
    TOPIC_DLQ: `${run}.dlq`,
    COMMAND_PARTITIONS: String(partitions),
    PROCESSOR_GROUP_ID: `${run}-group`,
    PROCESSOR_INSTANCE_ID: `${run}-p1`,
    LOG_LEVEL: 'warn',
  };
}
