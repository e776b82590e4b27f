import { describe, expect, it } from 'vitest';
import type { VersionFacts } from '../spec/model-version.js';
import type { ModelVersionRecord, VersionPinRecord } from '../storage/index.js';
import { findConflicts } from './version-conflicts.js';
import { versionIdFor, versionKey, versionLabel } from './version-facts.js';

function version(model: string, facts: VersionFacts, current: boolean): ModelVersionRecord {
  const key = versionKey(facts);
  return {
    id: versionIdFor(model, key),
    model,
    providerId: model.split('/')[0] ?? '',
    key,
    label: versionLabel(facts),
    facts,
    firstSeenAt: 1,
    lastSeenAt: 1,
    current,
    retiredAt: current ? null : 2,
    previousId: null,
    changeSummary: null,
  };
}

function pin(subject: string, model: string, versionId: string): VersionPinRecord {
  return {
    id: `pin_${subject}`,
    subject,
    model,
    versionId,
    action: 'pin',
    at: 1,
    actor: 'admin',
    reason: 'test',
    previousPinId: null,
    active: true,
  };
}

const llama = 'ollama/llama3.2';
const digestA = version(
  llama,
  { source: 'ollama', digest: 'sha256:aa', contextLength: 8192 },
  false,
);
const digestB = version(
  llama,
  { source: 'ollama', digest: 'sha256:bb', contextLength: 8192 },
  true,
);
const shrunk = version(llama, { source: 'ollama', digest: 'sha256:cc', contextLength: 4096 }, true);
const routes = {
  story: { models: [llama, 'openrouter/meta-llama/llama-3.1-8b-instruct'] },
  chat: { models: [llama] },
};

function lookup(versions: ModelVersionRecord[]) {
  return {
    current: (model: string) => versions.find((entry) => entry.model === model && entry.current),
    byId: (id: string) => versions.find((entry) => entry.id === id),
  };
}

describe('findConflicts', () => {
  it('finds nothing when every pin names the served version', () => {
    expect(
      findConflicts({
        pins: [pin('route:story', llama, digestB.id)],
        routes,
        ...lookup([digestA, digestB]),
      }),
    ).toEqual([]);
  });

  it('resolves a pin to a gone version automatically when the served one lost nothing', () => {
    const [conflict] = findConflicts({
      pins: [pin('route:story', llama, digestB.id), pin('route:chat', llama, digestA.id)],
      routes,
      ...lookup([digestA, digestB]),
    });
    expect(conflict).toMatchObject({
      kind: 'pins_disagree',
      subjects: ['route:chat'],
      steps: [],
      resolution: {
        advances: [{ subject: 'route:chat', fromVersionId: digestA.id, toVersionId: digestB.id }],
      },
    });
    expect(conflict?.resolution?.summary).toContain('digest aa → bb');
  });

  it('leaves an incompatible change to the administrator, with the commands to run', () => {
    const [conflict] = findConflicts({
      pins: [pin('route:story', llama, digestA.id)],
      routes,
      ...lookup([digestA, shrunk]),
    });
    expect(conflict?.kind).toBe('pin_version_gone');
    expect(conflict?.resolution).toBeUndefined();
    expect(conflict?.message).toContain('not compatible: context 8k → 4k');
    expect(conflict?.steps).toEqual([
      `Review the change: \`tta-models versions show ${llama}\`.`,
      'Accept it for route:story: `tta-models versions promote route:story --reason "reviewed the new version"`.',
      'Or move route:story to another model of its route: `tta-models versions pin route:story <model> --reason "…"`.',
    ]);
  });

  it('points a pin on a model that is gone to migration', () => {
    const gone = { ...digestB, current: false };
    const [conflict] = findConflicts({
      pins: [pin('alias:narrator', llama, gone.id)],
      routes,
      ...lookup([gone]),
      suggest: () => 'ollama/llama3.3',
    });
    expect(conflict).toMatchObject({ kind: 'pin_model_gone', subjects: ['alias:narrator'] });
    expect(conflict?.steps[0]).toContain(
      `tta-models versions migrate ${llama} --to ollama/llama3.3`,
    );
  });

  it('reports config.yaml and the database disagreeing, and keeps to config.yaml', () => {
    const conflicts = findConflicts({
      pins: [
        pin('route:gone', llama, digestB.id),
        pin('route:chat', 'openrouter/meta-llama/llama-3.1-8b-instruct', 'ver_x'),
      ],
      routes,
      ...lookup([digestB]),
    });
    expect(conflicts.map((conflict) => conflict.kind)).toEqual([
      'pin_route_missing',
      'pin_model_not_in_route',
    ]);
    expect(conflicts[0]?.steps[0]).toContain('tta-models versions unpin route:gone');
    expect(conflicts[1]?.message).toContain('the route is served as config.yaml says');
    expect(conflicts[1]?.steps[0]).toBe(
      `To follow config.yaml: \`tta-models versions pin route:chat ${llama} --reason "follow config.yaml"\`.`,
    );
  });
});
