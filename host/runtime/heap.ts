/**
 * The heap growth setting (CRM_HEAP_GROWTH_PERCENT) for long-running processes: the server and
 * the command line. V8 takes it as a flag; Node accepts no such flag in NODE_OPTIONS, so it is
 * set here, once, before the host starts its work. Tests keep V8's defaults.
 */
import v8 from 'node:v8';

let applied: number | null = null;

export function applyHeapGrowth(percent: number): void {
  if (!percent || applied === percent) return;
  v8.setFlagsFromString(`--heap-growing-percent=${Math.floor(percent)}`);
  applied = percent;
}
