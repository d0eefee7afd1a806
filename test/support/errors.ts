import { SynthError, type Fleet } from '../../lib/index.js';

/** The error messages of a failing render, each as `<path>: <message>` (fails the test when it renders). */
export function errorsOf(fleet: Fleet): string[] {
  try {
    fleet.render();
  } catch (e) {
    if (e instanceof SynthError) return e.errors.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message));
    throw e;
  }
  throw new Error('expected the synth to fail');
}
