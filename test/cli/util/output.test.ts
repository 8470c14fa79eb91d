import t from 'tap';
import v8 from 'node:v8';
import vm from 'node:vm';
import { PassThrough } from 'node:stream';
import { StopSignal, writeOut } from '../../../src/cli/util/output.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

t.test('StopSignal.race does not keep finished results alive (console-producer heap grew per line)', async (t) => {
  const stop = new StopSignal(new Promise<void>(() => {}));
  let ref: WeakRef<object> | undefined;
  await (async () => {
    const big = { payload: Buffer.alloc(1024) };
    ref = new WeakRef(big);
    t.equal(await stop.race(Promise.resolve(big)), big);
  })();
  await new Promise((r) => setImmediate(r));
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  t.equal(ref!.deref(), undefined);
});

t.test('StopSignal resolves a pending race with null when stopped, and later races at once', async (t) => {
  let fire!: () => void;
  const stop = new StopSignal(new Promise<void>((r) => (fire = r)));
  const pending = stop.race(new Promise<string>(() => {}));
  fire();
  t.equal(await pending, null);
  t.equal(stop.stopped, true);
  t.equal(await stop.race(Promise.resolve('x')), null);
  const live = new StopSignal(new Promise<void>(() => {}));
  await t.rejects(live.race(Promise.reject(new Error('boom'))), { message: 'boom' });
});

t.test('writeOut waits for drain and gives up when the output closes', async (t) => {
  const stop = new StopSignal(new Promise<void>(() => {}));
  const out = new PassThrough({ highWaterMark: 4 });
  const w = writeOut(out, Buffer.alloc(16), stop);
  out.resume();
  await w;
  const full = new PassThrough({ highWaterMark: 4 });
  const w2 = writeOut(full, Buffer.alloc(16), stop);
  full.destroy();
  await t.rejects(w2, { message: 'output closed' });
  await t.rejects(writeOut(full, 'x', stop), { message: 'output closed' });
});
