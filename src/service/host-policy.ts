import type { HostPolicy } from '../api/request-guard.js';
import type { Config } from '../config/index.js';

export function hostPolicyOf(server: Config['server']): HostPolicy {
  return { boundHost: server.host, allowedHosts: server.allowedHosts };
}
