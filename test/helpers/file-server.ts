import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FileServer {
  server: Server;
  url: string;
  /** Bodies received by PUT or POST, by path. */
  uploads: Map<string, Buffer>;
  close(): Promise<void>;
}

/** A file server as an operator's would be: serves `files` by path, takes uploads (PUT, POST). */
export function fileServer(files: Record<string, Buffer> = {}): Promise<FileServer> {
  const uploads = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    if (req.method === 'PUT' || req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        uploads.set(req.url ?? '', Buffer.concat(chunks));
        res.writeHead(201).end();
      });
      return;
    }
    const body = files[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Length': body.length }).end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        uploads,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}
