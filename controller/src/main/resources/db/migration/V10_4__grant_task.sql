-- An image download grant is for the hosts with an open run of one task (an agent build's names
-- its one host in grant_host): the presenter proves which host it is, see GrantProofs.
ALTER TABLE api_tokens ADD COLUMN grant_task uuid;
