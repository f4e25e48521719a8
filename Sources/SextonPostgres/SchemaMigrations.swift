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
    ]
}
