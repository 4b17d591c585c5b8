-- The cluster variant of ../0001_usage.sql, applied instead of it when
-- CLICKHOUSE_CLUSTER names a cluster of the server's remote_servers
-- (the embedded engine cannot run a cluster; tests/unit/clickhouse-schema.test.ts
-- parses this file and checks it against the single-server schema).
--
-- Each table is a Replicated…MergeTree on every shard (`*_local`, replicated
-- through Keeper by the {shard} and {replica} macros), and the names the app
-- reads and writes are Distributed tables over them, sharded by org: one
-- org's events, rollups and views live on one shard, so a dashboard read is
-- answered by one shard and the rollups of an org never need a cross-shard merge.
-- The materialized views hang on the local tables, so each shard aggregates
-- the blocks it receives. The relay inserts with distributed_foreground_insert=1,
-- so its insert_deduplication_token reaches the replicated tables, whose
-- Keeper-backed block deduplication drops a repeated block on any replica.
CREATE TABLE IF NOT EXISTS usage_events_local ON CLUSTER '{{CLUSTER}}'
(
    id UUID,
    org_id UUID,
    occurred_at DateTime64(3, 'UTC'),
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/usage_events_local', '{replica}')
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (org_id, occurred_at, id);

CREATE TABLE IF NOT EXISTS usage_events ON CLUSTER '{{CLUSTER}}' AS usage_events_local
ENGINE = Distributed('{{CLUSTER}}', currentDatabase(), usage_events_local, cityHash64(org_id));

CREATE TABLE IF NOT EXISTS usage_rollups_hourly_local ON CLUSTER '{{CLUSTER}}'
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
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/usage_rollups_hourly_local', '{replica}')
PARTITION BY toYYYYMM(hour)
ORDER BY (org_id, hour, product, model, api_key_id, project_id);

CREATE TABLE IF NOT EXISTS usage_rollups_hourly ON CLUSTER '{{CLUSTER}}' AS usage_rollups_hourly_local
ENGINE = Distributed('{{CLUSTER}}', currentDatabase(), usage_rollups_hourly_local, cityHash64(org_id));

CREATE TABLE IF NOT EXISTS usage_rollups_daily_local ON CLUSTER '{{CLUSTER}}'
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
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/usage_rollups_daily_local', '{replica}')
PARTITION BY toYear(day)
ORDER BY (org_id, day, product, model, api_key_id, project_id);

CREATE TABLE IF NOT EXISTS usage_rollups_daily ON CLUSTER '{{CLUSTER}}' AS usage_rollups_daily_local
ENGINE = Distributed('{{CLUSTER}}', currentDatabase(), usage_rollups_daily_local, cityHash64(org_id));

CREATE MATERIALIZED VIEW IF NOT EXISTS usage_rollups_hourly_mv ON CLUSTER '{{CLUSTER}}' TO usage_rollups_hourly_local AS
SELECT org_id, toStartOfHour(occurred_at) AS hour, product, model, api_key_id, project_id,
       toInt64(count()) AS requests, toInt64(countIf(status != 'ok')) AS errors,
       toInt64(sum(input_units)) AS input_units, toInt64(sum(output_units)) AS output_units,
       toInt64(sum(latency_ms)) AS latency_ms_sum,
       sumForEachState(arrayMap(i -> toInt64(i = arrayCount(b -> latency_ms >= b, [{{LATENCY_BOUNDS}}])), range({{LATENCY_BUCKETS}}))) AS latency_hist
FROM usage_events_local
GROUP BY org_id, hour, product, model, api_key_id, project_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS usage_rollups_daily_mv ON CLUSTER '{{CLUSTER}}' TO usage_rollups_daily_local AS
SELECT org_id, day, product, model, api_key_id, project_id,
       toInt64(count()) AS requests, toInt64(countIf(status != 'ok')) AS errors,
       toInt64(sum(input_units)) AS input_units, toInt64(sum(output_units)) AS output_units,
       toInt64(sum(latency_ms)) AS latency_ms_sum,
       sumForEachState(arrayMap(i -> toInt64(i = arrayCount(b -> latency_ms >= b, [{{LATENCY_BOUNDS}}])), range({{LATENCY_BUCKETS}}))) AS latency_hist
FROM usage_events_local
GROUP BY org_id, day, product, model, api_key_id, project_id;
