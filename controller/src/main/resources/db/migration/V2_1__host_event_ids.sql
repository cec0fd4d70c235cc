-- Agents resend a host event until it is acknowledged; its event id (kept in detail.eventId)
-- makes the resend a no-op instead of a second row.
CREATE UNIQUE INDEX host_events_event_id ON host_events (host_id, (detail ->> 'eventId'))
    WHERE detail ? 'eventId';
