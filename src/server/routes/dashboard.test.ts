import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRoute } from './dashboard.js';

/** The dashboard's static files: caching, safety headers, and a missing build. */
let folder: string;
let app: FastifyInstance;

beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tta-dashboard-'));
  fs.mkdirSync(path.join(folder, 'assets'));
  fs.writeFileSync(path.join(folder, 'index.html'), '<!doctype html><title>built</title>');
  fs.writeFileSync(path.join(folder, 'assets', 'index-AbC123.js'), 'console.log(1)');
  fs.writeFileSync(path.join(folder, 'secret.txt'), 'not an asset');
  app = Fastify();
  await app.register(dashboardRoute({ distFolder: folder }));
});
afterAll(async () => {
  await app.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

describe('the dashboard route', () => {
  it('serves index.html for revalidation on every load, with a strict content policy', async () => {
    const answer = await app.inject({ url: '/' });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('<title>built</title>');
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-cache');
    expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
    expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves hashed assets with a year-long immutable cache', async () => {
    const answer = await app.inject({ url: '/assets/index-AbC123.js' });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toBe('console.log(1)');
    expect(answer.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers 404 for unknown assets and for anything outside the assets folder', async () => {
    for (const url of [
      '/assets/missing-123.js',
      '/assets/..%2Fsecret.txt',
      '/assets/..%2F..%2Fpackage.json',
      '/assets/index-AbC123.exe',
    ]) {
      const answer = await app.inject({ url });
      expect(answer.statusCode, url).toBe(404);
      expect(answer.body).not.toContain('not an asset');
      expect(answer.headers['cache-control']).toBe('no-store');
    }
  });

  it('says how to build the dashboard when it is not built, instead of failing', async () => {
    const unbuilt = Fastify();
    await unbuilt.register(dashboardRoute({ distFolder: path.join(folder, 'nowhere') }));
    const answer = await unbuilt.inject({ url: '/' });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toContain('npm run build');
    await unbuilt.close();
  });
});
