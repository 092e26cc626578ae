import { SandboxPool, MemoryDeviceView } from './src/sandbox';
(async () => {
  const pool = new SandboxPool({ size: 1 });
  const view = MemoryDeviceView.from([]);
  const src = Array.from({ length: 10 }, (_, i) => `declare('Device.X.${i}', { value: 1 }, { value: ${i} });`).join('\n');
  const script = { name: 'mb.js', source: src };
  const base = { deviceKey: 'k', deviceId: { Manufacturer: 'a', OUI: 'b', ProductClass: 'c', SerialNumber: 'd' }, events: [], now: 1, view };
  const trace = process.argv[2] === 'trace';
  for (let i = 0; i < 2000; i++) await pool.run(script, { ...base, trace });
  const res: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < 10000; i++) await pool.run(script, { ...base, trace });
    res.push(Number(process.hrtime.bigint() - t) / 1e3 / 10000);
  }
  console.log(trace ? 'traced' : 'untraced', 'µs/run (5 batches):', res.map((x) => x.toFixed(1)).join(' '));
  await pool.close();
})();
