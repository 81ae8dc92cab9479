// Types for the part of servers.mjs the tests import.
export function kafkaClusterId(random?: (size: number) => Buffer): string;
