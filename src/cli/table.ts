// Plain-text tables for the read commands' human output (the --json output is for machines).

export function renderTable(headers: string[], rows: Array<Array<string | number | null>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null ? '—' : String(c)).replace(/[\u0000-\u001f\u007f]/g, ' ')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

/** JSON for machines: bigint lamports become strings so no precision is lost. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
}

export function clip(text: string | null, max: number): string | null {
  if (text === null) return null;
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
