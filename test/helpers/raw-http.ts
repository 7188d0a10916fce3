/**
 * Requests written byte by byte on a socket, for what supertest cannot send: a body cut short, a
 * Content-Length that lies, a client that goes away mid-upload, an endless chunked body.
 */
import fs from 'node:fs';
import net from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from './test-app.js';

/** The Cookie header a signed-in test client sends. */
export function cookieOf(client: Client): string {
  const jar = (client.agent as unknown as { jar: { getCookies(a: unknown): { toValueString(): string } } }).jar;
  return jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).toValueString();
}

export function connect(server: Server): Promise<net.Socket> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Collects what the server sends until it closes the connection or the time runs out. */
export function readAnswer(socket: net.Socket, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => {
      clearTimeout(timer);
      resolve(text);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    socket.once('close', done);
    socket.once('error', () => undefined);
  });
}

export function statusOf(answer: string): number | null {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
  return m ? Number(m[1]) : null;
}

export const BOUNDARY = '----miaopu-test-boundary';

export function multipartField(name: string, value: string): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
}

export function multipartFileHead(field: string, filename: string): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`;
}

export const MULTIPART_END = `\r\n--${BOUNDARY}--\r\n`;

export function requestHead(server: Server, path: string, headers: Record<string, string | number>): string {
  const { port } = server.address() as AddressInfo;
  const lines = [`POST ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return lines.join('\r\n') + '\r\n\r\n';
}

/**
 * Open file descriptors of this process (the test server runs in it), other than sockets: keep-alive
 * connections of the test clients come and go on their own (the server's connections are counted
 * separately).
 */
export function openDescriptors(): number {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (!fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // the descriptor readdir itself used, closed meanwhile
    }
  }
  return n;
}
