import type { Attempt } from '../resilience/all-models-failed.js';
import type { ChainMember } from '../resilience/fallback-chain.js';
import type { SessionVersionPolicy } from '../spec/model-version.js';
import {
  databaseUnavailableReason,
  type SessionRecord,
  type SessionSwitch,
  type Sessions,
} from '../storage/index.js';

/** What the tracker needs to know about model health. */
export interface HealthView {
  /** True while a model should not lead (breaker open, cooling, degraded). */
  isUnwell(model: string): boolean;
  /** When the model last answered anyone, epoch ms (undefined if never). */
  lastSuccessAt(model: string): number | undefined;
}

/** One request of a session. */
export interface SessionTurn {
  sessionId: string;
  owner: string;
  requestedModel: string;
}

/** How often one write is tried again after another process wrote the session first. */
const maxWriteAttempts = 5;

/**
 * Switches a session keeps, the latest ones: every turn rewrites the session, so a long
 * conversation on a flapping model must not make each turn's write longer than the last.
 */
export const keptSwitches = 100;

/** The history with one more switch, the oldest beyond `keptSwitches` dropped. */
function withSwitch(history: readonly SessionSwitch[], next: SessionSwitch): SessionSwitch[] {
  const kept = history.length >= keptSwitches ? history.slice(-(keptSwitches - 1)) : history;
  return [...kept, next];
}

/** Thrown when a session kept changing under a write, attempt after attempt. */
export class SessionContentionError extends Error {
  constructor(sessionId: string) {
    super(
      `session "${sessionId}" was written by another replica ${maxWriteAttempts} times while this one tried to record a turn; the turn was answered but is missing from the session's history`,
    );
    this.name = 'SessionContentionError';
  }
}

/**
 * Keeps a player's session on the model that works: after a switch, the session's next
 * turns start on the model that took over, until the preferred model is seen answering
 * again (for anyone) and is healthy. Sessions live in the database, cached in memory.
 *
 * Writes are optimistic: each names the revision it was computed from, and one that
 * lost to another process's write is computed again from the stored session. With
 * `shared`, the cache is checked against the stored revision before each turn (one
 * indexed read), so a session continued on another replica is picked up where it is.
 */
export function createSessionTracker(options: {
  store: Sessions;
  health: HealthView;
  now?: () => number;
  cacheSize?: number;
  /** Keeps a session on the model version it started with (none: no version stickiness). */
  versions?: SessionVersionPolicy;
  /** Other processes write the same sessions (replicas sharing PostgreSQL). */
  shared?: boolean;
}) {
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? 10_000;
  const shared = options.shared ?? false;
  const cache = new Map<string, SessionRecord>();

  function remember(session: SessionRecord): void {
    cache.delete(session.id);
    cache.set(session.id, session);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
  }

  /** The session as stored, or a new one; cached. */
  async function loadStored(turn: SessionTurn): Promise<SessionRecord> {
    const stored = await options.store.get(turn.sessionId);
    const at = now();
    const session = stored ?? {
      id: turn.sessionId,
      owner: turn.owner,
      requestedModel: turn.requestedModel,
      pinnedModel: null,
      turns: 0,
      history: [],
      createdAt: at,
      updatedAt: at,
      revision: 0,
    };
    remember(session);
    return session;
  }

  /** The cached session; with `check` on shared storage, only while still the stored revision. */
  async function load(turn: SessionTurn, check: boolean): Promise<SessionRecord> {
    const cached = cache.get(turn.sessionId);
    if (cached === undefined) return loadStored(turn);
    if (!check || !shared) return cached;
    const stored = await options.store.revision(turn.sessionId);
    return (stored ?? 0) === (cached.revision ?? 0) ? cached : loadStored(turn);
  }

  /**
   * Writes a session computed from the revision it carries. The cache takes it at once
   * (the next turn of this process builds on it); true when stored, false when another
   * process wrote first (the cache then forgets the session).
   */
  async function save(session: SessionRecord): Promise<boolean> {
    const expected = session.revision ?? 0;
    remember({ ...session, revision: expected + 1 });
    let revision: number | undefined;
    try {
      revision = await options.store.save(session);
    } catch (error) {
      cache.delete(session.id);
      throw error;
    }
    if (revision === undefined) {
      if (cache.get(session.id)?.revision === expected + 1) cache.delete(session.id);
      return false;
    }
    return true;
  }

  /** True when the session's preferred model has answered since the session left it, and is well. */
  function recovered(session: SessionRecord, preferred: string): boolean {
    const lastSwitch = session.history.at(-1)?.at ?? 0;
    return (
      !options.health.isUnwell(preferred) &&
      (options.health.lastSuccessAt(preferred) ?? 0) > lastSwitch
    );
  }

  /** Applies the version policy; the session after any move, or undefined when the move lost a race. */
  async function followVersion(
    session: SessionRecord,
    members: ChainMember[],
  ): Promise<{ session: SessionRecord; members: ChainMember[] } | undefined> {
    if (!options.versions) return { session, members };
    // The session's own model version leads while it is served; a move is recorded.
    const kept = options.versions.arrange(session.modelVersion ?? undefined, members, now());
    if (!kept.move) return { session, members: kept.members };
    const { move } = kept;
    const moved: SessionRecord = {
      ...session,
      modelVersion: move.to,
      pinnedModel: null,
      history: withSwitch(session.history, {
        at: move.to.since,
        from: move.from.model,
        to: move.to.model,
        cause: move.cause,
        kind: 'version',
        fromVersion: move.from.versionId,
        toVersion: move.to.versionId,
        summary: move.summary,
      }),
    };
    if (!(await save(moved))) return undefined;
    return { session: { ...moved, revision: (moved.revision ?? 0) + 1 }, members: kept.members };
  }

  /** The session after one more turn, built on `session` (which keeps its revision). */
  function nextTurn(
    session: SessionRecord,
    preferred: string,
    answered: string | undefined,
    attempts: readonly Attempt[],
  ): SessionRecord {
    const at = now();
    const updated: SessionRecord = { ...session, turns: session.turns + 1, updatedAt: at };
    // With versions, the session's own model is its preferred one (it may differ from
    // the route's lead after a promotion).
    const startedOn = options.versions ? session.modelVersion?.model : undefined;
    const versionId = options.versions?.currentVersion(preferred);
    if (options.versions && !session.modelVersion && versionId !== undefined)
      updated.modelVersion = { model: preferred, versionId, since: at };
    const lead = startedOn ?? preferred;
    if (answered !== undefined) {
      const last = attempts.at(-1);
      if (last && last.model !== answered) {
        updated.history = withSwitch(session.history, {
          at,
          from: last.model,
          to: answered,
          cause: last.code,
        });
      }
      updated.pinnedModel = answered === lead ? null : answered;
    }
    return updated;
  }

  /** The turn's members in the session's order, from the stored session. */
  async function arrangeStored(turn: SessionTurn, members: ChainMember[]): Promise<ChainMember[]> {
    for (let attempt = 1; ; attempt += 1) {
      const loaded = attempt === 1 ? await load(turn, true) : await loadStored(turn);
      if (loaded.owner !== turn.owner) return members;
      const followed = await followVersion(loaded, members);
      if (followed === undefined) {
        // Bookkeeping must not fail the turn: past the limit, the plan's order serves.
        if (attempt >= maxWriteAttempts) return members;
        continue;
      }
      const { session } = followed;
      const arranged = followed.members;
      const pinned = session.pinnedModel;
      const preferred = arranged[0]?.name;
      if (!pinned || pinned === preferred || preferred === undefined) return arranged;
      if (recovered(session, preferred)) return arranged;
      const pinnedMember = arranged.find((member) => member.name === pinned);
      return pinnedMember
        ? [pinnedMember, ...arranged.filter((member) => member !== pinnedMember)]
        : arranged;
    }
  }

  return {
    /**
     * The chain in the order this session should try it. Another owner's session id is
     * treated as a new session (ids are the client's, so they must not leak state).
     */
    async arrange(turn: SessionTurn, members: ChainMember[]): Promise<ChainMember[]> {
      try {
        return await arrangeStored(turn, members);
      } catch (error) {
        // While the database is down the turn goes on in the plan's order: the player keeps
        // playing, on the best model rather than the one the session followed.
        if (databaseUnavailableReason(error) !== undefined) return members;
        throw error;
      }
    },
    /** Records a finished turn: who answered, and any switch on the way. */
    async record(
      turn: SessionTurn,
      preferred: string,
      answered: string | undefined,
      attempts: readonly Attempt[],
    ): Promise<SessionRecord> {
      for (let attempt = 1; ; attempt += 1) {
        // A lost write means another replica took a turn: build on what it stored.
        const session = attempt === 1 ? await load(turn, false) : await loadStored(turn);
        if (session.owner !== turn.owner) return session;
        const updated = nextTurn(session, preferred, answered, attempts);
        if (await save(updated)) return { ...updated, revision: (updated.revision ?? 0) + 1 };
        if (attempt >= maxWriteAttempts) throw new SessionContentionError(turn.sessionId);
      }
    },

    /** A session as stored (for the API), or undefined. */
    async get(sessionId: string): Promise<SessionRecord | undefined> {
      // Another replica may have taken the latest turn: the store has it.
      if (shared) return options.store.get(sessionId);
      return cache.get(sessionId) ?? options.store.get(sessionId);
    },
  };
}

/** Session tracking of a gateway. */
export type SessionTracker = ReturnType<typeof createSessionTracker>;
