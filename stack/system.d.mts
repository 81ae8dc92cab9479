export function findJava(minMajor: number, envName: string, purpose: string): string;
