/**
 * A file server and an NBI (the real createNbiApp with the file routes
 * mounted, as src/server.ts will) on ephemeral loopback ports, over a test store.
 */
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Download } from '../../src/cwmp/soap/types';
import type { AddressInfo } from 'node:net';
import type { SqlAccess } from '../../src/db/types';
import { createFileServerApp, createFileService, fileRoutes, type FileService, type FileServiceOptions } from '../../src/files';
import { createLogger } from '../../src/log';
import { createNbiApp } from '../../src/nbi/app';
import type { DeviceStore } from '../../src/db/types';
import { newToken, tokenFetch } from '../helpers/api-token';

export interface FileHarness {
  files: FileService;
  /** Errors the apps reported after their response began (Koa's 'error' event). */
  lateErrors: Error[];
  fsUrl: string;
  nbiUrl: string;
  /** The URL the ACS would give `device` in a Download of `name` (signed for it). */
  signedUrl(name: string, device?: string): string;
  /** An admin API token of the store's database. */
  token: string;
  /** fetch() of an NBI path (e.g. "/files") with the token. */
  nbi(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startFiles(store: DeviceStore, options: Partial<FileServiceOptions> = {}): Promise<FileHarness> {
  const log = createLogger('silent');
  const fs = http.createServer();
  const fsUrl = await listen(fs);
  const files = createFileService(store.sql, { urlBase: fsUrl, storage: 'database', dir: mkdtempSync(path.join(tmpdir(), 'acs-files-')), ...options });
  await files.access.init();
  const lateErrors: Error[] = [];
  const fsApp = createFileServerApp({ files, log });
  fsApp.on('error', (err: Error) => lateErrors.push(err));
  fs.on('request', fsApp.callback());
  const nbiApp = createNbiApp({ store, log, tokenRate: 0, searchStatementMs: 0 });
  const routes = fileRoutes(files);
  nbiApp.use(routes.routes()).use(routes.allowedMethods());
  nbiApp.on('error', (err: Error) => lateErrors.push(err));
  const nbi = http.createServer(nbiApp.callback());
  const nbiUrl = await listen(nbi);
  const token = await newToken(store);
  const signedUrl = (name: string, device = 'TEST-DEVICE-1') => downloadOf(files, name, device).URL;
  return { files, lateErrors, fsUrl, nbiUrl, token, signedUrl, nbi: tokenFetch(nbiUrl, token), close: async () => void (await Promise.all([close(fs), close(nbi)])) };
}

/** A Download of stored file `name` as the ACS sends it to `device` (URL signed, the device's own credentials). */
export function downloadOf(files: FileService, name: string, device: string): Download {
  const request: Download = {
    method: 'Download', CommandKey: 'k', FileType: '1 Firmware Upgrade Image', URL: files.fileUrl(name), Username: '', Password: '',
    FileSize: 0, TargetFileName: '', DelaySeconds: 0, SuccessURL: '', FailureURL: '',
  };
  return files.access.grant(request, device) as Download;
}

/** Rows of a table (file_chunks, file_contents ...), to see what a refused upload left behind. */
export async function countRows(sql: SqlAccess, table: string): Promise<number> {
  const rows = await sql.autocommit((db) => db.select(`SELECT COUNT(*) AS n FROM ${table}`));
  return Number(rows[0].n);
}

/** A raw HTTP request (fetch cannot send a chunked body of unknown length, nor HEAD bodies to check). */
export function rawRequest(
  url: string,
  options: { method: string; path?: string; headers?: Record<string, string>; body?: Buffer[] },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const target = { host: u.hostname, port: u.port, path: options.path ?? `${u.pathname}${u.search}`, method: options.method, headers: options.headers };
    const req = http.request(target, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const piece of options.body ?? []) req.write(piece);
    req.end();
  });
}
