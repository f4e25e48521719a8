/// The shared store's schema (CONTRACT §10), as versioned migrations applied in order by
/// `SchemaMigrator`. A released migration never changes; a change is a new one. `{schema}` is
/// replaced by the configured schema, quoted.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let statements: [String]
}

public enum SchemaMigrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "shared store", statements: [
            // One row per remembered target. Resolution of a target is serialized on its row
            // (SELECT … FOR UPDATE); `fence` counts its decisions, so a replica that decided on
            // a stale read cannot write.
            """
            CREATE TABLE {schema}.targets (
                name text PRIMARY KEY,
                version bigint NOT NULL DEFAULT 0,
                active_id text,
                window_closes_at timestamptz,
                fence bigint NOT NULL DEFAULT 0,
                idle_since timestamptz NOT NULL DEFAULT now()
            ) WITH (fillfactor = 80)
            """,
            // Live and ended operations. `seq` is the store-wide arrival order ties follow.
            // `lease_expires_at` and `last_heartbeat_at` are in no index, so a heartbeat is a
            // HOT update (fillfactor leaves the room on the page); the hot table is vacuumed
            // early rather than at the default 20% of dead rows.
            """
            CREATE TABLE {schema}.operations (
                id text PRIMARY KEY,
                seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
                target text NOT NULL,
                target_type text NOT NULL,
                op_type text NOT NULL,
                priority smallint NOT NULL,
                effective_priority smallint NOT NULL,
                status text NOT NULL,
                reason text,
                winner text,
                error text,
                entity_index integer,
                entity_generation integer,
                in_registry boolean NOT NULL DEFAULT false,
                parent text,
                retry_of text,
                retry_count bigint NOT NULL DEFAULT 0,
                expected_version bigint,
                cleanup jsonb,
                submitted_at timestamptz NOT NULL DEFAULT now(),
                admitted_at timestamptz,
                started_at timestamptz,
                last_heartbeat_at timestamptz,
                ended_at timestamptz,
                lease_expires_at timestamptz,
                fence bigint NOT NULL DEFAULT 0
            ) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.01)
            """,
            "CREATE INDEX operations_active ON {schema}.operations (target) WHERE status IN ('admitted', 'executing')",
            "CREATE INDEX operations_staged ON {schema}.operations (target, effective_priority DESC, seq) WHERE status = 'staged'",
            "CREATE INDEX operations_history ON {schema}.operations (ended_at) WHERE ended_at IS NOT NULL",
            // Generational registry entities: a freed index is reused with its generation
            // bumped, store-wide.
            """
            CREATE TABLE {schema}.entities (
                index integer PRIMARY KEY,
                generation integer NOT NULL DEFAULT 0,
                holder text
            )
            """,
            "CREATE INDEX entities_free ON {schema}.entities (index) WHERE holder IS NULL",
            // One store-wide queue of zombies; a pass claims due ones with FOR UPDATE SKIP
            // LOCKED and holds each claim until `claim_expires_at`, so a zombie whose replica
            // died is claimed again.
            """
            CREATE TABLE {schema}.zombies (
                operation_id text PRIMARY KEY REFERENCES {schema}.operations (id) ON DELETE CASCADE,
                target text NOT NULL,
                target_type text NOT NULL,
                strategy text NOT NULL,
                due_at timestamptz,
                failed_attempts integer NOT NULL DEFAULT 0,
                claimed_by text,
                claim_expires_at timestamptz,
                ended_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX zombies_due ON {schema}.zombies (due_at) WHERE due_at IS NOT NULL",
            "CREATE INDEX zombies_by_target ON {schema}.zombies (target, ended_at)",
            "CREATE INDEX zombies_by_age ON {schema}.zombies (ended_at)",
            // Each replica's resolution settings, so the `store` check can name a disagreement.
            """
            CREATE TABLE {schema}.replicas (
                name text PRIMARY KEY,
                settings jsonb NOT NULL,
                seen_at timestamptz NOT NULL DEFAULT now()
            )
            """,
        ]),
        Migration(version: 2, name: "entity indices and open windows", statements: [
            // New entity indices store-wide, without a max() that two resolutions could race on.
            "CREATE SEQUENCE {schema}.entity_indices AS integer MINVALUE 0 START 0",
            // Open windows, for the sweep that resolves those whose submitter's replica died.
            "CREATE INDEX targets_open_windows ON {schema}.targets (window_closes_at) WHERE window_closes_at IS NOT NULL",
        ]),
        Migration(version: 3, name: "shared cleanup", statements: [
            // The handler a zombie's policy named when it was created, and whether it already
            // succeeded (a `custom` zombie waiting out the handler's retention); the adaptive rule
            // that made it immediate; and the claim a pass holds while its handler runs, so only
            // the claimant's outcome is recorded.
            "ALTER TABLE {schema}.zombies ADD COLUMN handler text, ADD COLUMN handler_done boolean NOT NULL DEFAULT false, ADD COLUMN trigger text, ADD COLUMN claim_token text",
            // A removal frees the entity its zombie holds.
            "CREATE INDEX entities_holder ON {schema}.entities (holder) WHERE holder IS NOT NULL",
        ]),
        Migration(version: 4, name: "staging and deciding in functions", statements: [
            // A group of submissions staged in one call (SharedStaging.stage). A function, so the
            // server plans its statements once a session (generic plans: a custom plan a call
            // costs as much as running it) instead of once a call, and each of its
            // statements reads what committed before it: the targets' rows are locked first (in
            // name order, so two replicas' groups never deadlock), then the limits are counted
            // exactly, the members of the group counting in arrival order. Optional columns come
            // as arrays with a sentinel for NULL ('' and -1: ids are never empty, versions never
            // negative). A target made here for members that were all refused is not kept.
            """
            CREATE FUNCTION {schema}.stage(
                p_ids text[], p_targets text[], p_target_types text[], p_op_types text[], p_priorities int8[],
                p_parents text[], p_retries_of text[], p_retry_counts int8[], p_expected_versions int8[],
                p_cleanups text[], p_reused boolean[], p_window float8, p_max_per_target int8, p_max_staged int8)
            RETURNS TABLE (staged boolean, target_room boolean, store_room boolean, closes_in int8)
            LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
            #variable_conflict use_column
            DECLARE
                v_made text[];
            BEGIN
                WITH locked AS (
                    INSERT INTO {schema}.targets AS t (name) SELECT DISTINCT i.name FROM unnest(p_targets) AS i(name) ORDER BY 1
                    ON CONFLICT (name) DO UPDATE SET idle_since = now()
                    RETURNING t.name, t.xmax = 0 AS made)
                SELECT coalesce(array_agg(name) FILTER (WHERE made), '{}') INTO v_made FROM locked;
                RETURN QUERY
                WITH input AS (
                    SELECT * FROM unnest(p_ids, p_targets, p_target_types, p_op_types, p_priorities, p_parents, p_retries_of,
                                         p_retry_counts, p_expected_versions, p_cleanups, p_reused)
                        WITH ORDINALITY AS i(id, target, target_type, op_type, priority, parent, retry_of, retry_count,
                                             expected_version, cleanup, reused, n)),
                ranked AS (
                    SELECT i.*,
                           (SELECT count(*) FROM {schema}.operations o WHERE o.target = i.target AND o.status = 'staged')
                               + row_number() OVER (PARTITION BY i.target ORDER BY i.n) <= p_max_per_target AS target_room,
                           (SELECT count(*) FROM {schema}.operations WHERE status = 'staged') + i.n <= p_max_staged AS store_room,
                           -- An id twice in the group: the later one finds it live.
                           row_number() OVER (PARTITION BY i.id ORDER BY i.n) = 1 AS first
                    FROM input i),
                -- An ended operation's id may be used again; a zombie's stays taken until it is removed.
                reused AS (
                    DELETE FROM {schema}.operations o USING ranked r
                    WHERE r.reused AND r.first AND r.target_room AND r.store_room AND o.id = r.id AND o.ended_at IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM {schema}.zombies z WHERE z.operation_id = o.id)
                    RETURNING o.id),
                inserted AS (
                    INSERT INTO {schema}.operations (id, target, target_type, op_type, priority, effective_priority, status,
                        parent, retry_of, retry_count, expected_version, cleanup)
                    SELECT r.id, r.target, r.target_type, r.op_type, r.priority,
                        greatest(r.priority, (SELECT p.effective_priority FROM {schema}.operations p WHERE p.id = nullif(r.parent, ''))),
                        'staged', nullif(r.parent, ''), nullif(r.retry_of, ''), r.retry_count, nullif(r.expected_version, -1),
                        nullif(r.cleanup, '')::jsonb
                    FROM ranked r
                    -- The reused ids are deleted before any row goes in.
                    WHERE r.first AND r.target_room AND r.store_room AND (SELECT count(*) FROM reused) >= 0
                    ORDER BY r.n
                    ON CONFLICT (id) DO NOTHING
                    RETURNING id, target),
                windows AS (
                    UPDATE {schema}.targets t SET window_closes_at = coalesce(t.window_closes_at, now() + make_interval(secs => p_window))
                    WHERE t.name IN (SELECT target FROM inserted)
                    RETURNING t.name, (extract(epoch FROM t.window_closes_at - now()) * 1e9)::int8 AS closes_in),
                unmade AS (
                    DELETE FROM {schema}.targets WHERE name = ANY(v_made) AND name NOT IN (SELECT target FROM inserted) RETURNING 1)
                SELECT r.first AND r.id IN (SELECT id FROM inserted), r.target_room, r.store_room, coalesce(w.closes_in, 0)::int8
                FROM ranked r LEFT JOIN windows w ON w.name = r.target ORDER BY r.n;
            END
            $$
            """,
            // The decisions of the batches one transaction resolved, written at once
            // (SharedResolution.finish): each winner admitted with its lease and a registry entity
            // (freed indices reused with their generation bumped, else new ones), the others
            // rejected, each target handed to its holder ('' for none), and the windows that closed
            // with nothing staged cleared. Returns the winners' entities.
            """
            CREATE FUNCTION {schema}.finish(
                p_winners text[], p_lease float8, p_losers text[], p_reasons text[], p_loser_winners text[],
                p_targets text[], p_holders text[], p_idle text[])
            RETURNS TABLE (id text, index integer, generation integer)
            LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
            #variable_conflict use_column
            BEGIN
                RETURN QUERY
                WITH winners AS (SELECT * FROM unnest(p_winners) WITH ORDINALITY AS w(id, n)),
                picked AS (
                    SELECT f.index, row_number() OVER (ORDER BY f.index) AS n FROM (
                        SELECT e.index FROM {schema}.entities e WHERE e.holder IS NULL
                        ORDER BY e.index LIMIT cardinality(p_winners) FOR UPDATE SKIP LOCKED) f),
                reused AS (
                    UPDATE {schema}.entities e SET holder = w.id, generation = e.generation + 1
                    FROM picked p JOIN winners w ON w.n = p.n WHERE e.index = p.index
                    RETURNING e.holder AS id, e.index, e.generation),
                fresh AS (
                    INSERT INTO {schema}.entities (index, generation, holder)
                    SELECT nextval('{schema}.entity_indices'), 0, w.id FROM winners w WHERE w.n > (SELECT count(*) FROM picked) ORDER BY w.n
                    RETURNING holder AS id, index, generation),
                entity AS (SELECT * FROM reused UNION ALL SELECT * FROM fresh),
                admitted AS (
                    UPDATE {schema}.operations o SET status = 'admitted', admitted_at = now(), in_registry = true,
                        entity_index = entity.index, entity_generation = entity.generation,
                        lease_expires_at = CASE WHEN p_lease > 0 THEN now() + make_interval(secs => p_lease) END,
                        fence = o.fence + 1
                    FROM entity WHERE o.id = entity.id AND o.status = 'staged' RETURNING o.id),
                rejected AS (
                    UPDATE {schema}.operations o SET status = 'rejected', reason = l.reason, winner = nullif(l.winner, ''), ended_at = now()
                    FROM unnest(p_losers, p_reasons, p_loser_winners) AS l(id, reason, winner)
                    WHERE o.id = l.id AND o.status = 'staged' RETURNING o.id),
                handed AS (
                    UPDATE {schema}.targets t SET active_id = nullif(h.holder, ''), window_closes_at = NULL, fence = t.fence + 1
                    FROM unnest(p_targets, p_holders) AS h(name, holder) WHERE t.name = h.name RETURNING 1),
                idle AS (UPDATE {schema}.targets t SET window_closes_at = NULL WHERE t.name = ANY(p_idle) RETURNING 1)
                SELECT entity.id, entity.index, entity.generation FROM entity;
            END
            $$
            """,
        ]),
    ]
}
