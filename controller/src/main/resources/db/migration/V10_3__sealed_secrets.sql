-- Task secrets are stored sealed with the controller's secrets key (text "sealed:v1:..."), no
-- longer as readable jsonb; the CA private key column holds a sealed value too. Rows written in
-- clear before are sealed by the controller at start (a migration cannot know the key).
ALTER TABLE tasks ALTER COLUMN secrets TYPE text USING secrets::text;

-- One value sealed by the first member's key: a member whose key cannot open it refuses to start.
CREATE TABLE sealing_check (
    id     int  PRIMARY KEY CHECK (id = 1),
    key_id text NOT NULL,
    sealed text NOT NULL
);
