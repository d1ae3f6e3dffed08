/** Emulators for the tests of one file: each test starts what it needs, and every one is stopped after it. */
import type { Fixture } from '../emulator/fixture';
import { Emulator } from '../emulator/server';

/** Registers the stopping after each test; returns how to start one. Call it at the top of a test file. */
export function emulatorPerTest(): (fixture: Fixture) => Promise<Emulator> {
  let running: Emulator[] = [];
  afterEach(async () => {
    await Promise.all(running.map((emulator) => emulator.stop()));
    running = [];
  });
  return async (fixture) => {
    const emulator = await Emulator.start(fixture);
    running.push(emulator);
    return emulator;
  };
}
