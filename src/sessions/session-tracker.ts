import type { Attempt } from '../resilience/all-models-failed.js';
import type { ChainMember } from '../resilience/fallback-chain.js';
import type { SessionVersionPolicy } from '../spec/model-version.js';
import type { SessionRecord, Sessions } from '../storage/index.js';

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

/**
 * Keeps a player's session on the model that works: after a switch, the session's next
 * turns start on the model that took over, until the preferred model is seen answering
 * again (for anyone) and is healthy. Sessions live in the database, cached in memory.
 */
export function createSessionTracker(options: {
  store: Sessions;
  health: HealthView;
  now?: () => number;
  cacheSize?: number;
  /** Keeps a session on the model version it started with (none: no version stickiness). */
  versions?: SessionVersionPolicy;
}) {
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? 10_000;
  const cache = new Map<string, SessionRecord>();

  async function load(turn: SessionTurn): Promise<SessionRecord> {
    const cached = cache.get(turn.sessionId);
    if (cached) return cached;
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
    };
    remember(session);
    return session;
  }

  function remember(session: SessionRecord): void {
    cache.delete(session.id);
    cache.set(session.id, session);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
  }

  /** True when the session's preferred model has answered since the session left it, and is well. */
  function recovered(session: SessionRecord, preferred: string): boolean {
    const lastSwitch = session.history.at(-1)?.at ?? 0;
    return (
      !options.health.isUnwell(preferred) &&
      (options.health.lastSuccessAt(preferred) ?? 0) > lastSwitch
    );
  }

  return {
    /**
     * The chain in the order this session should try it. Another owner's session id is
     * treated as a new session (ids are the client's, so they must not leak state).
     */
    async arrange(turn: SessionTurn, members: ChainMember[]): Promise<ChainMember[]> {
      let session = await load(turn);
      if (session.owner !== turn.owner) return members;
      if (options.versions) {
        // The session's own model version leads while it is served; a move is recorded.
        const kept = options.versions.arrange(session.modelVersion ?? undefined, members, now());
        members = kept.members;
        if (kept.move) {
          const { move } = kept;
          session = {
            ...session,
            modelVersion: move.to,
            pinnedModel: null,
            history: [
              ...session.history,
              {
                at: move.to.since,
                from: move.from.model,
                to: move.to.model,
                cause: move.cause,
                kind: 'version',
                fromVersion: move.from.versionId,
                toVersion: move.to.versionId,
                summary: move.summary,
              },
            ],
          };
          remember(session);
          await options.store.put(session);
        }
      }
      const pinned = session.pinnedModel;
      const preferred = members[0]?.name;
      if (!pinned || pinned === preferred || preferred === undefined) return members;
      if (recovered(session, preferred)) return members;
      const pinnedMember = members.find((member) => member.name === pinned);
      return pinnedMember
        ? [pinnedMember, ...members.filter((member) => member !== pinnedMember)]
        : members;
    },

    /** Records a finished turn: who answered, and any switch on the way. */
    async record(
      turn: SessionTurn,
      preferred: string,
      answered: string | undefined,
      attempts: readonly Attempt[],
    ): Promise<SessionRecord> {
      const session = await load(turn);
      if (session.owner !== turn.owner) return session;
      const at = now();
      const updated: SessionRecord = { ...session, turns: session.turns + 1, updatedAt: at };
      // With versions, the session's own model is its preferred one (it may differ from
      // the route's lead after a promotion).
      const startedOn = options.versions ? session.modelVersion?.model : undefined;
      const versionId = options.versions?.currentVersion(preferred);
      if (options.versions && !session.modelVersion && versionId !== undefined)
        updated.modelVersion = { model: preferred, versionId, since: at };
      preferred = startedOn ?? preferred;
      if (answered !== undefined) {
        const last = attempts.at(-1);
        if (last && last.model !== answered) {
          updated.history = [
            ...session.history,
            { at, from: last.model, to: answered, cause: last.code },
          ];
        }
        updated.pinnedModel = answered === preferred ? null : answered;
      }
      remember(updated);
      await options.store.put(updated);
      return updated;
    },

    /** A session as stored (for the API), or undefined. */
    async get(sessionId: string): Promise<SessionRecord | undefined> {
      return cache.get(sessionId) ?? options.store.get(sessionId);
    },
  };
}

/** Session tracking of a gateway. */
export type SessionTracker = ReturnType<typeof createSessionTracker>;
