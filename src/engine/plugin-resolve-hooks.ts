// Module resolve hooks of a plug-in's worker thread (src/engine/strategy-worker.ts registers them): `magma-agent/strategy`
// is this agent's own strategy SDK wherever the plug-in lives, so a plug-in outside the agent's folder needs nothing
// installed beside it, and always runs against the SDK of the agent that loads it.
// Hooks run on Node's loader thread; this module is registered by URL from the compiled build.

interface ResolveContext {
  conditions?: string[];
  importAttributes?: Record<string, string>;
  parentURL?: string;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<{ url: string; format?: string | null; shortCircuit?: boolean }>;

export const SDK_SPECIFIER = 'magma-agent/strategy';

let sdkUrl: string | null = null;

export function initialize(data: { sdkUrl: string }): void {
  sdkUrl = data.sdkUrl;
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string; format?: string | null; shortCircuit?: boolean }> {
  if (specifier === SDK_SPECIFIER && sdkUrl) return { url: sdkUrl, format: 'module', shortCircuit: true };
  return next(specifier, context);
}
