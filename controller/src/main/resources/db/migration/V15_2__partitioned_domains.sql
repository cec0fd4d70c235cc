-- Failure domains (the "dc" label, else the "dc" fact) that look cut off: most of their hosts went
-- offline. A mass disconnect is a network partition, not that many dead hosts: while a domain is
-- listed here its runs are neither host_lost nor timed out by the sweeps; they wait for the hosts
-- to return. One row per domain, written and deleted by RunSweeper's domain check, which also
-- writes the fleet.domain_partitioned / fleet.domain_restored outbox events (one each, whichever
-- member runs the check).
CREATE TABLE partitioned_domains (
    domain  text        PRIMARY KEY,
    offline integer     NOT NULL,
    total   integer     NOT NULL,
    since   timestamptz NOT NULL DEFAULT now()
);
