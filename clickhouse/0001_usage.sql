-- Usage analytics on one ClickHouse server or the embedded engine (chDB).
-- Applied at start by lib/usage/clickhouse/migrate.ts, statement by statement
-- (split on lines that end with `;`); applied versions are kept in
-- usage_schema_migrations. The cluster variant is clickhouse/cluster/.
--
-- Raw events: one row per accepted event, ordered tenant first, then time.
-- ReplacingMergeTree on the id as the last key column folds a row that
-- reached the table twice; the relay's insert_deduplication_token already
-- drops a repeated block (non_replicated_deduplication_window), so this is a
-- second wall, and reads that must be exact use FINAL.
CREATE TABLE IF NOT EXISTS usage_events
(
    id UUID,
    org_id UUID,
    occurred_at DateTime64(3, 'UTC'),
    -- The org's calendar day at ingest (its time zone lives in PostgreSQL); a time-zone change rebuilds.
    day Date,
    product LowCardinality(String),
    model LowCardinality(String),
    input_units UInt64,
    output_units UInt64,
    status LowCardinality(String),
    latency_ms UInt32,
    api_key_id String,
    project_id String,
    zero_retention Bool,
    received_at DateTime64(3, 'UTC'),
    relay_batch UInt64
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (org_id, occurred_at, id)
SETTINGS non_replicated_deduplication_window = 1000;

-- Rollups: AggregatingMergeTree, so the latency histogram (an array) merges
-- by element (sumForEach) beside the plain sums. Keys as in PostgreSQL:
-- '' for no API key and for no project.
CREATE TABLE IF NOT EXISTS usage_rollups_hourly
(
    org_id UUID,
    hour DateTime('UTC'),
    product LowCardinality(String),
    model LowCardinality(String),
    api_key_id String,
    project_id String,
    requests SimpleAggregateFunction(sum, Int64),
    errors SimpleAggregateFunction(sum, Int64),
    input_units SimpleAggregateFunction(sum, Int64),
    output_units SimpleAggregateFunction(sum, Int64),
    latency_ms_sum SimpleAggregateFunction(sum, Int64),
    latency_hist AggregateFunction(sumForEach, Array(Int64))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (org_id, hour, product, model, api_key_id, project_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS usage_rollups_daily
(
    org_id UUID,
    day Date,
    product LowCardinality(String),
    model LowCardinality(String),
    api_key_id String,
    project_id String,
    requests SimpleAggregateFunction(sum, Int64),
    errors SimpleAggregateFunction(sum, Int64),
    input_units SimpleAggregateFunction(sum, Int64),
    output_units SimpleAggregateFunction(sum, Int64),
    latency_ms_sum SimpleAggregateFunction(sum, Int64),
    latency_hist AggregateFunction(sumForEach, Array(Int64))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(day)
ORDER BY (org_id, day, product, model, api_key_id, project_id)
SETTINGS non_replicated_deduplication_window = 1000;

-- The views see each inserted block; a block dropped by its deduplication
-- token is dropped for them too (deduplicate_blocks_in_dependent_materialized_views).
-- The bucket is PostgreSQL's width_bucket(latency_ms, bounds): the number of bounds <= latency.
CREATE MATERIALIZED VIEW IF NOT EXISTS usage_rollups_hourly_mv TO usage_rollups_hourly AS
SELECT org_id, toStartOfHour(occurred_at) AS hour, product, model, api_key_id, project_id,
       toInt64(count()) AS requests, toInt64(countIf(status != 'ok')) AS errors,
       toInt64(sum(input_units)) AS input_units, toInt64(sum(output_units)) AS output_units,
       toInt64(sum(latency_ms)) AS latency_ms_sum,
       sumForEachState(arrayMap(i -> toInt64(i = arrayCount(b -> latency_ms >= b, [{{LATENCY_BOUNDS}}])), range({{LATENCY_BUCKETS}}))) AS latency_hist
FROM usage_events
GROUP BY org_id, hour, product, model, api_key_id, project_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS usage_rollups_daily_mv TO usage_rollups_daily AS
SELECT org_id, day, product, model, api_key_id, project_id,
       toInt64(count()) AS requests, toInt64(countIf(status != 'ok')) AS errors,
       toInt64(sum(input_units)) AS input_units, toInt64(sum(output_units)) AS output_units,
       toInt64(sum(latency_ms)) AS latency_ms_sum,
       sumForEachState(arrayMap(i -> toInt64(i = arrayCount(b -> latency_ms >= b, [{{LATENCY_BOUNDS}}])), range({{LATENCY_BUCKETS}}))) AS latency_hist
FROM usage_events
GROUP BY org_id, day, product, model, api_key_id, project_id;
