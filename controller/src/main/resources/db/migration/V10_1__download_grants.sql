-- A download grant is an API token that may GET one path (an image or an agent build) and
-- nothing else, issued for one task (and, for an agent build, one host).
ALTER TABLE api_tokens
    ADD COLUMN grant_path text,
    ADD COLUMN grant_host text;
