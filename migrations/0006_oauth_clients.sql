-- OAuth2 clients (CONTRACT.md section 18): a client belongs to one
-- retailer or one brand, as an API key does, and trades its secret for
-- access tokens at POST /auth/token/ (client credentials, RFC 6749 4.4).
-- Secrets and tokens are kept only as hashes (BLAKE2b, like api_keys).

CREATE TABLE oauth_clients (
	id          INTEGER PRIMARY KEY,
	retailer_id INTEGER REFERENCES retailers (id),
	brand_id    INTEGER REFERENCES brands (id),
	secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),
	created_at  INTEGER NOT NULL,
	revoked_at  INTEGER,
	CHECK ((retailer_id IS NULL) <> (brand_id IS NULL))
);

-- A client's access tokens. A token is good until expires_at while its
-- client is not revoked; revoking the client deletes them. Issuing one
-- deletes the client's expired tokens and, past the bound of live tokens
-- per client (docs/reliability.md), its oldest.
CREATE TABLE oauth_tokens (
	id         INTEGER PRIMARY KEY,
	client_id  INTEGER NOT NULL REFERENCES oauth_clients (id),
	hash       BLOB NOT NULL CHECK (length(hash) = 32),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX oauth_tokens_client ON oauth_tokens (client_id, expires_at);

-- The client that made a change with one of its tokens (actor.key_id then
-- names the client).
ALTER TABLE events ADD COLUMN actor_client_id INTEGER REFERENCES oauth_clients (id);
