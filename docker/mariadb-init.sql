-- The ACS's own database user, with what it needs and no more. The mariadb
-- image runs this once, on the first start with an empty data volume, after
-- it created the database `acs` and the user 'acs'@'%' from MARIADB_DATABASE,
-- MARIADB_USER and MARIADB_PASSWORD (so the password stays in the environment,
-- not in this file) with ALL PRIVILEGES on `acs`.* — narrowed here to:
--   data: SELECT, INSERT, UPDATE, DELETE;
--   the migrations every release runs at start: CREATE, ALTER, INDEX, DROP, REFERENCES;
-- on that database only: no other database, no user or server administration.
-- test/docker/compose.test.ts applies it to a private MariaDB and starts the ACS as this user.
REVOKE ALL PRIVILEGES ON `acs`.* FROM 'acs'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES ON `acs`.* TO 'acs'@'%';
