#!/bin/bash
# Runs once, when the postgres:15 image initialises its data directory: lets Strata open replication
# connections (base backup and WAL streaming) from other containers, with a password.
set -euo pipefail
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
