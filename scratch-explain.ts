import mysql from 'mysql2/promise';
import { compileDeviceQuery } from './src/db/device-query';
(async () => {
  const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'acs_bench_search' });
  for (const filter of process.argv.slice(2)) {
    const r = compileDeviceQuery({ filter });
    if (!r.ok) throw new Error(r.message);
    const sql = `SELECT d.id FROM devices d WHERE ${r.compiled.where.sql} ORDER BY d.id LIMIT 100`;
    console.log(filter, '\n', sql, r.compiled.where.params);
    const [rows] = await c.query(`EXPLAIN ${sql}`, r.compiled.where.params);
    console.table((rows as any[]).map((x) => ({ id: x.id, type: x.select_type, table: x.table, access: x.type, key: x.key, rows: x.rows, extra: x.Extra })));
    const t0 = performance.now();
    await c.execute(sql, r.compiled.where.params);
    console.log('ms', (performance.now() - t0).toFixed(1));
  }
  await c.end();
})();
