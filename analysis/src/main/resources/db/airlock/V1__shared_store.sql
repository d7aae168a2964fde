-- The shared store of a multi-node Airlock (store.url). Values are the same JSON documents the
-- embedded MapDB store keeps; keys are the same strings (ecosystem:name@version, ...).

-- Every write of a mirrored table takes the next value, so a node can ask what changed since the
-- last value it saw (the reconcile behind LISTEN/NOTIFY).
CREATE SEQUENCE airlock_rev;

CREATE TABLE verdicts (
    key  text COLLATE "C" PRIMARY KEY,
    json text NOT NULL,
    rev  bigint NOT NULL
);
CREATE INDEX verdicts_rev ON verdicts (rev);

CREATE TABLE overrides (
    target text PRIMARY KEY,
    json   text NOT NULL,
    rev    bigint NOT NULL
);

CREATE TABLE hold_exemptions (
    target text PRIMARY KEY,
    json   text NOT NULL,
    rev    bigint NOT NULL
);

CREATE TABLE feed_records (
    id   text PRIMARY KEY,
    json text NOT NULL,
    rev  bigint NOT NULL
);

CREATE TABLE audit (
    seq  bigserial PRIMARY KEY,
    json text NOT NULL
);

CREATE TABLE downloads (
    id         bigserial PRIMARY KEY,
    coordinate text NOT NULL,
    json       text NOT NULL
);
CREATE INDEX downloads_coordinate ON downloads (coordinate, id);

CREATE TABLE analysis_log (
    id         bigserial PRIMARY KEY,
    coordinate text NOT NULL,
    json       text NOT NULL
);
CREATE INDEX analysis_log_coordinate ON analysis_log (coordinate, id);

CREATE TABLE history (
    key  text COLLATE "C" PRIMARY KEY,
    json text NOT NULL
);

-- The analysis queue: one row per version or file job; a node leases a row (FOR UPDATE SKIP
-- LOCKED) and renews the lease while the analysis runs; an expired lease is a node that died.
CREATE TABLE analysis_jobs (
    key           text PRIMARY KEY,
    coordinate    text NOT NULL,
    file_name     text,
    file_sha256   text,
    file_uploaded timestamptz,
    priority      integer NOT NULL,
    seq           bigserial,
    deaths        integer NOT NULL DEFAULT 0,
    attempts      integer NOT NULL DEFAULT 0,
    not_before    timestamptz NOT NULL DEFAULT now(),
    leased_by     text,
    lease_until   timestamptz,
    last_failure  text
);
CREATE INDEX analysis_jobs_order ON analysis_jobs (priority, seq);

CREATE TABLE analysis_results (
    key         text PRIMARY KEY,
    coordinate  text NOT NULL,
    json        text NOT NULL,
    analysed_by text,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX analysis_results_coordinate ON analysis_results (coordinate);

-- Every start of an analysis, by node: what the status view and the tests count.
CREATE TABLE analysis_runs (
    id      bigserial PRIMARY KEY,
    key     text NOT NULL,
    node_id text NOT NULL,
    started timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX analysis_runs_key ON analysis_runs (key);

-- Per package and file kind, the last analysed and the last clean-analysed job: the behaviour
-- baseline of the next version.
CREATE TABLE analysis_baselines (
    kind_key text PRIMARY KEY,
    latest   text,
    allowed  text
);

-- Nodes that analyse say so here every few seconds: proxies without an engine read whether any
-- analysis can happen at all (sandbox_unavailable otherwise).
CREATE TABLE nodes (
    node_id   text PRIMARY KEY,
    role      text NOT NULL,
    analysing boolean NOT NULL,
    sandbox   boolean NOT NULL,
    seen      timestamptz NOT NULL
);
