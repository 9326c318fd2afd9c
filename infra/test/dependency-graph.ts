/**
 * The dependencies CloudFormation derives from a template: DependsOn, Ref, Fn::GetAtt and the `${Name}`
 * references inside Fn::Sub. A cycle among them makes CloudFormation refuse the template, which
 * `cdk synth` does not detect.
 */
export function dependencies(resources: Record<string, { DependsOn?: unknown; Properties?: unknown }>) {
  const graph = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const targets = new Set<string>();
    const dependsOn = resource.DependsOn;
    for (const target of Array.isArray(dependsOn) ? dependsOn : dependsOn ? [dependsOn] : []) {
      targets.add(String(target));
    }
    collect(resource.Properties, targets);
    graph.set(id, new Set([...targets].filter((target) => target in resources)));
  }
  return graph;
}

function collect(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, into);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'Ref' && typeof inner === 'string') into.add(inner);
    else if (key === 'Fn::GetAtt' && Array.isArray(inner)) into.add(String(inner[0]));
    else if (key === 'Fn::Sub') {
      const text = Array.isArray(inner) ? inner[0] : inner;
      if (typeof text === 'string') {
        for (const match of text.matchAll(/\$\{([^}.!]+)[^}]*\}/g)) if (match[1]) into.add(match[1]);
      }
      collect(inner, into);
    } else collect(inner, into);
  }
}

/** A cycle as a list of resource ids, or undefined when the graph has none. */
export function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const next of graph.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of graph.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}
