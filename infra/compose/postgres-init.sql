-- Run once by the postgres container on an empty volume (docker-entrypoint-initdb.d), as the
-- POSTGRES_USER (pusip). One database per service; Keycloak keeps its realm in its own.
CREATE DATABASE pusip_catalog OWNER pusip;
CREATE DATABASE pusip_circulation OWNER pusip;
CREATE DATABASE pusip_deposit OWNER pusip;
CREATE DATABASE pusip_archive OWNER pusip;
CREATE DATABASE pusip_accreditation OWNER pusip;
CREATE DATABASE keycloak OWNER pusip;
