import { strict as assert } from 'node:assert';
import { openDataSource } from '../../src/db/datasource';
import { Files1765600000000 } from '../../src/db/migrations/1765600000000-files';
import { describeEachDriver } from '../helpers/db';

const TABLES = ['file_contents', 'file_chunks', 'files', 'upload_tokens'];

describeEachDriver('files migration', 'acs_test_files_migration', (ctx) => {
  it('creates the four tables, drops them on revert and creates them again', async () => {
    const { dataSource } = await openDataSource(ctx.url);
    const runner = dataSource.createQueryRunner();
    try {
      for (const table of TABLES) assert.ok(await runner.hasTable(table), `after migrate: ${table}`);
      await new Files1765600000000().down(runner);
      for (const table of TABLES) assert.equal(await runner.hasTable(table), false, `after down: ${table}`);
      await new Files1765600000000().up(runner);
      for (const table of TABLES) assert.ok(await runner.hasTable(table), `after up: ${table}`);
    } finally {
      await runner.release();
      await dataSource.destroy();
    }
  });

  it('keys compare every byte on MySQL too: "a.bin" and "a.bin " and "A.bin" are three files', async () => {
    const sql = ctx.store.sql;
    for (const name of ['a.bin', 'a.bin ', 'A.bin']) {
      await sql.transaction((db) =>
        db.run('INSERT INTO files (name, content_id, size, chunk_size, md5, sha256, uploaded) VALUES (?, ?, 0, 1, ?, ?, 0)', [name, name, '', '']),
      );
    }
    const rows = await sql.autocommit((db) => db.select('SELECT name FROM files WHERE name = ?', ['a.bin']));
    assert.deepEqual(rows.map((r) => r.name), ['a.bin']);
  });
});
