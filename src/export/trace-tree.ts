/** Orders a trace's spans as a tree, depth first. */

export interface TreeSpan {
  spanId: string;
  parentSpanId: string | null;
  startTimeUnixNano: string | null;
}

const startOf = (s: TreeSpan) => (s.startTimeUnixNano === null ? -1n : BigInt(s.startTimeUnixNano));
const byStart = (a: TreeSpan, b: TreeSpan) => {
  const d = startOf(a) - startOf(b);
  return d < 0n ? -1 : d > 0n ? 1 : a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
};

/**
 * Depth-first order: roots by start time, each followed by its children (by
 * start). A span whose parent is missing from the trace (an orphan) or is
 * itself (a self-loop) is a root. Iterative, with a visited set: a parent
 * cycle cannot loop or overflow the stack; spans only reachable through a
 * cycle are appended at the end. Returns each span with its depth (roots 0).
 */
export function treeOrder<T extends TreeSpan>(spans: readonly T[]): { span: T; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const s of spans) {
    const p = s.parentSpanId;
    if (p === null || p === s.spanId || !ids.has(p)) roots.push(s);
    else {
      const list = children.get(p);
      if (list) list.push(s);
      else children.set(p, [s]);
    }
  }
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);
  const out: { span: T; depth: number }[] = [];
  const visited = new Set<T>();
  const walk = (from: T[]) => {
    const stack = from
      .slice()
      .reverse()
      .map((span) => ({ span, depth: 0 }));
    while (stack.length) {
      const { span, depth } = stack.pop()!;
      if (visited.has(span)) continue;
      visited.add(span);
      out.push({ span, depth });
      const kids = children.get(span.spanId) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1 });
    }
  };
  walk(roots);
  // Spans in a parent cycle with no way in from a root.
  const rest = spans.filter((s) => !visited.has(s)).sort(byStart);
  if (rest.length) walk(rest);
  return out;
}
