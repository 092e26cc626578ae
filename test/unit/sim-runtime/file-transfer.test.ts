import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { downloadFile, uploadFile } from '../../../src/sim/file-transfer';

describe('simulated file transfers report TR-069 fault codes', function () {
  let server: Server;
  let base = '';
  const uploads: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/secret' && req.headers.authorization !== 'Basic ' + Buffer.from('u:p').toString('base64')) {
        return void res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="files"' }).end();
      }
      if (req.method === 'PUT') {
        let body = '';
        req.on('data', (c) => (body += c));
        return void req.on('end', () => (uploads.push(body), res.writeHead(201).end()));
      }
      if (req.url === '/fw.bin' || req.url === '/secret') return void res.writeHead(200).end(Buffer.alloc(100));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('succeeds with FaultCode 0 and checks the size', async () => {
    const ok = await downloadFile(`${base}/fw.bin`, '', '', 100);
    assert.deepEqual(ok.fault, { FaultCode: 0, FaultString: '' });
    assert.equal(ok.bytes, 100);
    assert.equal((await downloadFile(`${base}/fw.bin`, '', '', 99)).fault.FaultCode, 9018);
  });

  it('maps 404 to 9016, 401 to 9012, a refused connection to 9015 and ftp to 9013', async () => {
    assert.equal((await downloadFile(`${base}/nope`, '', '', 0)).fault.FaultCode, 9016);
    assert.equal((await downloadFile(`${base}/secret`, 'u', 'wrong', 0)).fault.FaultCode, 9012);
    assert.equal((await downloadFile(`${base}/secret`, 'u', 'p', 0)).fault.FaultCode, 0);
    assert.equal((await downloadFile('http://127.0.0.1:1/x', '', '', 0)).fault.FaultCode, 9015);
    assert.equal((await downloadFile('ftp://127.0.0.1/x', '', '', 0)).fault.FaultCode, 9013);
  });

  it('uploads with PUT', async () => {
    const out = await uploadFile(`${base}/cfg`, '', '', 'config text');
    assert.equal(out.fault.FaultCode, 0);
    assert.deepEqual(uploads, ['config text']);
  });
});
