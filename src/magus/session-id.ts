// One Magus conversation per narrative: the same session id routes every question about a narrative to the same
// conversation, so the judge keeps its context across ticks.

export function sessionIdForNarrative(narrativeId: string): string {
  return `narrative-${narrativeId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100)}`;
}
