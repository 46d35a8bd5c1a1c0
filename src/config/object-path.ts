// Small helpers to read and write nested plain objects by path, used to layer env and flag overrides.
export type ConfigPath = readonly (string | number)[];

export function setIn(root: Record<string, unknown>, path: ConfigPath, value: unknown): void {
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string | number;
    const next = node[key];
    if (typeof next !== 'object' || next === null) {
      const created = typeof path[i + 1] === 'number' ? [] : {};
      node[key] = created;
      node = created as Record<string | number, unknown>;
    } else {
      node = next as Record<string | number, unknown>;
    }
  }
  node[path[path.length - 1] as string | number] = value;
}

export function pathToString(path: ConfigPath): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`),
    '',
  );
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
