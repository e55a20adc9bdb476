// Test helper: `auto` fallbacks are logged to stderr by default; tests keep them quiet.
import { setFallbackLogger } from './execution-providers.ts';

export const fallbackLog: string[] = [];
setFallbackLogger((m) => fallbackLog.push(m));
