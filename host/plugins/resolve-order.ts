/**
 * Orders plugins so every plugin comes after its dependencies, and explains each plugin that
 * cannot load: a missing dependency, a version mismatch, a host range mismatch, or a cycle.
 */
import semver from 'semver';
import type { PluginManifest } from '../api.js';

export interface Resolution {
  order: string[];
  /** plugin id -> reason it is skipped */
  skipped: Map<string, string>;
}

export function resolveOrder(manifests: PluginManifest[], hostVersion: string): Resolution {
  const byId = new Map(manifests.map((m) => [m.id, m]));
  const skipped = new Map<string, string>();

  for (const m of manifests) {
    if (!semver.satisfies(hostVersion, m.host, { includePrerelease: true })) {
      skipped.set(m.id, `requires host ${m.host}, but this host is ${hostVersion}`);
      continue;
    }
    for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
      const target = byId.get(dep);
      if (!target) skipped.set(m.id, `depends on "${dep}" (${range}), which is not installed`);
      else if (!semver.satisfies(target.version, range, { includePrerelease: true })) {
        skipped.set(m.id, `depends on "${dep}" ${range}, but version ${target.version} is installed`);
      }
    }
  }

  // Depth-first topological sort; a back edge is a cycle, named in full.
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      for (const member of cycle) if (!skipped.has(member)) skipped.set(member, `dependency cycle: ${cycle.join(' -> ')}`);
      return;
    }
    state.set(id, 'visiting');
    for (const dep of Object.keys(byId.get(id)?.dependencies ?? {}).sort()) if (byId.has(dep)) visit(dep, [...trail, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of [...byId.keys()].sort()) visit(id, []);

  // A plugin whose dependency is skipped is skipped too, with the reason.
  let changed = true;
  while (changed) {
    changed = false;
    for (const id of order) {
      if (skipped.has(id)) continue;
      const bad = Object.keys(byId.get(id)?.dependencies ?? {}).find((d) => skipped.has(d));
      if (bad) {
        skipped.set(id, `depends on "${bad}", which could not load: ${skipped.get(bad)}`);
        changed = true;
      }
    }
  }
  return { order: order.filter((id) => !skipped.has(id)), skipped };
}
