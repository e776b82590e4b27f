import { beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../testkit/storage-dialects.js';
import { type ModelVersionRecord, type NewVersionNotice, PinChangedError } from './index.js';
import type { Storage } from './storage.js';

let clock = 1_000;

const version: ModelVersionRecord = {
  id: 'ver_a',
  model: 'ollama/llama3.2',
  providerId: 'ollama',
  key: 'ollama:sha256:aa',
  label: 'digest aa',
  facts: { source: 'ollama', digest: 'sha256:aa' },
  firstSeenAt: 1_000,
  lastSeenAt: 1_000,
  current: true,
  retiredAt: null,
  previousId: null,
  changeSummary: null,
};

const notice: NewVersionNotice = {
  model: 'ollama/llama3.2',
  kind: 'new_version',
  severity: 'info',
  versionId: 'ver_a',
  previousVersionId: null,
  summary: 'ollama/llama3.2 has a new version',
  changes: [
    {
      field: 'digest',
      from: 'sha256:00',
      to: 'sha256:aa',
      text: 'digest 00 → aa',
      breaking: false,
    },
  ],
  dependents: ['route:story'],
  delivery: 'pending',
  dedupeKey: 'version:ollama/llama3.2:ver_0->ver_a',
};

describeEachDialect('model version store', (database) => {
  let storage: Storage;
  beforeEach(async () => {
    clock = 1_000;
    storage = await database.open({ now: () => clock });
  });

  it('writes versions and notices together, once per dedupe key, and bumps the generation', async () => {
    const before = await storage.versions.generation();
    expect(await storage.versions.apply({ versions: [version], notices: [notice] })).toHaveLength(
      1,
    );
    expect(await storage.versions.apply({ versions: [], notices: [notice] })).toEqual([]);
    expect(await storage.versions.generation()).toBe(before + 2);
    expect(await storage.versions.list({ model: 'ollama/llama3.2' })).toEqual([version]);
    const [stored] = await storage.versions.notices();
    const { dedupeKey: _dedupeKey, ...shown } = notice;
    expect(stored).toEqual({ ...shown, id: stored?.id, at: 1_000, deliveryError: null });
    await storage.versions.setDelivery(stored?.id ?? '', 'failed', 'the webhook answered HTTP 500');
    expect((await storage.versions.notices())[0]).toMatchObject({
      delivery: 'failed',
      deliveryError: 'the webhook answered HTTP 500',
    });
    // A rewrite of the same id replaces the row.
    await storage.versions.apply({
      versions: [{ ...version, current: false, retiredAt: 2_000 }],
      notices: [],
    });
    expect((await storage.versions.list())[0]).toMatchObject({ current: false, retiredAt: 2_000 });
  });

  it('changes a pin and writes its audit entry in one transaction, or neither', async () => {
    const audit = {
      actor: 'admin',
      channel: 'api' as const,
      action: 'versions.pin',
      subject: 'route:story',
      reason: 'first pin',
      detail: { to: 'ver_a' },
    };
    const first = await storage.versions.changePin({
      subject: 'route:story',
      expectedActiveId: null,
      next: {
        model: 'ollama/llama3.2',
        versionId: 'ver_a',
        action: 'pin',
        actor: 'admin',
        reason: 'first pin',
        previousPinId: null,
      },
      audit: [audit],
    });
    expect(first.pin).toMatchObject({ subject: 'route:story', active: true, at: 1_000 });

    // Someone else's change came first: refused, and nothing written.
    clock = 2_000;
    await expect(
      storage.versions.changePin({
        subject: 'route:story',
        expectedActiveId: null,
        next: {
          model: 'ollama/llama3.2',
          versionId: 'ver_b',
          action: 'pin',
          actor: 'bob',
          reason: 'late',
          previousPinId: null,
        },
        audit: [{ ...audit, actor: 'bob', reason: 'late' }],
      }),
    ).rejects.toBeInstanceOf(PinChangedError);
    expect(await storage.audit.list()).toHaveLength(1);

    const second = await storage.versions.changePin({
      subject: 'route:story',
      expectedActiveId: first.pin?.id ?? null,
      next: {
        model: 'ollama/llama3.2',
        versionId: 'ver_b',
        action: 'promote',
        actor: 'alice',
        reason: 'newer',
        previousPinId: first.pin?.id ?? null,
      },
      audit: [{ ...audit, actor: 'alice', action: 'versions.promote', reason: 'newer' }],
    });
    expect(await storage.versions.activePins()).toEqual([second.pin]);
    expect(
      (await storage.versions.pins({ subject: 'route:story' })).map((pin) => [
        pin.versionId,
        pin.active,
      ]),
    ).toEqual([
      ['ver_b', true],
      ['ver_a', false],
    ]);
    expect(
      (await storage.audit.list()).map((entry) => [
        entry.actor,
        entry.action,
        entry.reason,
        entry.at,
      ]),
    ).toEqual([
      ['alice', 'versions.promote', 'newer', 2_000],
      ['admin', 'versions.pin', 'first pin', 1_000],
    ]);

    // Unpinning leaves no active pin.
    await storage.versions.changePin({
      subject: 'route:story',
      expectedActiveId: second.pin?.id ?? null,
      next: null,
      audit: [{ ...audit, action: 'versions.unpin', reason: 'done' }],
    });
    expect(await storage.versions.activePins()).toEqual([]);
  });
});
