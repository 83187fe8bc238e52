-- 0002_auth.sql - who may use the server: users with a role, their credentials (API tokens,
-- dashboard sessions, one-time login links) and a record of logins (issue 15,
-- docs/security.md).
--
-- Roles: viewer (reads), trader (orders: place, modify, cancel; may activate the kill
-- switch), admin (everything: accounts, strategies, risk limits, instruments, users, the
-- feed, releasing the kill switch). The spec's 'user' role is our 'trader'.
-- A user without a password logs in with a token or a login link only. Email is optional:
-- a trader's own server has local users (the spec's NOT NULL made every user invent one).
--
-- Secrets are never stored: a credential row keeps the SHA-256 of the secret the user was
-- shown once (secrets are 256 random bits, so a fast hash is enough; passwords, which are
-- not random, are argon2id strings made by libsodium).

UPDATE workspace.users SET role = 'trader' WHERE role = 'user';
ALTER TABLE workspace.users DROP CONSTRAINT users_role_check;
ALTER TABLE workspace.users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'trader', 'viewer'));
ALTER TABLE workspace.users ALTER COLUMN role SET DEFAULT 'viewer';
ALTER TABLE workspace.users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE workspace.users
    ADD COLUMN password_hash text NULL CHECK (password_hash LIKE '$argon2id$%'),
    ADD COLUMN all_accounts boolean NOT NULL DEFAULT false;

-- The order-manager accounts a user may see and trade (ids of order_manager.accounts, another
-- database: checked by the service, no foreign key). all_accounts = true grants every one.
CREATE TABLE workspace.user_accounts (
    user_id    uuid NOT NULL REFERENCES workspace.users (id) ON DELETE CASCADE,
    account_id uuid NOT NULL,
    PRIMARY KEY (user_id, account_id)
);

CREATE TABLE workspace.credentials (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES workspace.users (id) ON DELETE CASCADE,
    kind         varchar(10) NOT NULL CHECK (kind IN ('token', 'session', 'link')),
    name         varchar(100) NULL,
    secret_hash  bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NULL,
    expires_at   timestamptz NULL,
    revoked_at   timestamptz NULL,
    created_from varchar(64) NULL,
    CHECK (kind = 'token' OR expires_at IS NOT NULL)
);

CREATE INDEX idx_credentials_user ON workspace.credentials (user_id, created_at DESC);

CREATE TABLE workspace.auth_events (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    event    varchar(20) NOT NULL CHECK (event IN (
                 'login', 'login_failed', 'login_link', 'logout', 'token_created',
                 'token_revoked', 'user_added', 'user_disabled', 'password_set')),
    username varchar(100) NULL,
    address  varchar(64) NULL,
    detail   text NULL
);

-- The rate limit of failed logins counts recent failures by user and by address.
CREATE INDEX idx_auth_events_failed_user ON workspace.auth_events (username, at)
    WHERE event = 'login_failed';
CREATE INDEX idx_auth_events_failed_address ON workspace.auth_events (address, at)
    WHERE event = 'login_failed';
