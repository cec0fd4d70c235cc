-- Host events published to the outbox: drift reported by agents, and a cloned host detected by
-- the gateway (kind "clone_detected", written by the controller only: an agent cannot raise it
-- about itself or another host).
CREATE OR REPLACE FUNCTION outbox_host_events_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (partition, type, subject, host_id, data)
    SELECT outbox_partition(n.host_id),
           CASE n.kind WHEN 'drift' THEN 'host.drift' ELSE 'host.clone_detected' END,
           n.host_id, n.host_id,
           jsonb_build_object('host', n.host_id, 'message', n.message, 'detail', coalesce(n.detail, '{}'::jsonb))
      FROM new_rows n
     WHERE n.kind = 'drift' OR (n.kind = 'clone_detected' AND n.actor = 'controller')
     ORDER BY n.id;
    RETURN NULL;
END $$;
