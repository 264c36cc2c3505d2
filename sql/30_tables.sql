-- System tables: high-frequency analysis results and GIN index bookkeeping.

CREATE TABLE kmersearch_highfreq_kmer (
    table_oid         oid NOT NULL,
    column_name       name NOT NULL,
    kmer_size         integer NOT NULL,
    occur_bitlen      integer NOT NULL,
    uintkey           bigint NOT NULL,        -- the full n-gram key
    appearance_nrow   bigint NOT NULL DEFAULT 0,
    detection_reason  text,
    created_at        timestamp with time zone DEFAULT now(),
    PRIMARY KEY (table_oid, column_name, kmer_size, occur_bitlen, uintkey)
);
CREATE INDEX kmersearch_highfreq_kmer_idx
    ON kmersearch_highfreq_kmer (table_oid, column_name, kmer_size, occur_bitlen, uintkey);

CREATE TABLE kmersearch_highfreq_kmer_meta (
    table_oid            oid NOT NULL,
    column_name          name NOT NULL,
    kmer_size            integer NOT NULL,
    occur_bitlen         integer NOT NULL,
    max_appearance_rate  real NOT NULL,
    max_appearance_nrow  integer NOT NULL,
    analysis_timestamp   timestamp with time zone DEFAULT now(),
    PRIMARY KEY (table_oid, column_name, kmer_size, occur_bitlen)
);
CREATE INDEX kmersearch_highfreq_kmer_meta_idx
    ON kmersearch_highfreq_kmer_meta (table_oid, column_name);

CREATE TABLE kmersearch_gin_index_meta (
    index_oid              oid PRIMARY KEY,
    table_oid              oid NOT NULL,
    column_name            name NOT NULL,
    highfreq_filtered      boolean NOT NULL,
    highfreq_source_table  name NOT NULL,
    kmer_size              integer NOT NULL,
    occur_bitlen           integer NOT NULL,
    max_appearance_rate    real NOT NULL,
    max_appearance_nrow    integer NOT NULL,
    created_at             timestamp with time zone DEFAULT now()
);
CREATE INDEX kmersearch_gin_index_meta_idx
    ON kmersearch_gin_index_meta (table_oid, column_name);

CREATE TABLE kmersearch_index_info (
    index_oid               oid PRIMARY KEY,
    table_oid               oid NOT NULL,
    column_name             name NOT NULL,
    kmer_size               integer NOT NULL,
    occur_bitlen            integer NOT NULL,
    total_nrow              bigint NOT NULL,
    highfreq_kmer_count     integer NOT NULL,
    max_appearance_rate     real NOT NULL,
    max_appearance_nrow     integer NOT NULL,
    preclude_highfreq_kmer  boolean NOT NULL DEFAULT false,
    created_at              timestamp with time zone DEFAULT now()
);
CREATE INDEX kmersearch_index_info_idx
    ON kmersearch_index_info (table_oid, column_name);

-- Result types of the analysis and its undo.
CREATE TYPE kmersearch_analysis_result AS (
    total_rows                bigint,
    highfreq_kmers_count      integer,
    parallel_workers_used     integer,
    max_appearance_rate_used  real,
    max_appearance_nrow_used  integer
);

CREATE TYPE kmersearch_drop_result AS (
    dropped_analyses       integer,
    dropped_highfreq_kmers integer,
    freed_storage_bytes    bigint
);
