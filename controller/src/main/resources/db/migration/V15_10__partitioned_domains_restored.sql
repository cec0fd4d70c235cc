-- A domain whose hosts came back is not forgotten at once: its hosts that have not reconnected yet
-- (stragglers of the same partition) get the sweeps' grace counted from the restoration, not from
-- the cut, which is long past. The row stays, with restored_at set, for that grace; a new cut of
-- the same domain clears restored_at (and writes a new fleet.domain_partitioned event).
ALTER TABLE partitioned_domains ADD COLUMN restored_at timestamptz;
