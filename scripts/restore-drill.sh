#!/bin/sh
# The restore drill: restore a backup made by scripts/backup.sh into a NEW
# database, check that Django can use it (migrations all applied, every
# table readable) and print each table's row count, so the drill's report can
# compare them with production's. Never touches the production database.
#
#   scripts/restore-drill.sh BACKUP_FOLDER NEW_DATABASE_URL
#
# The new database must not exist yet (the drill creates it); drop it after.
set -eu
backup=$1
new_database_url=$2
started=$(date +%s)
# A plain URL (postgresql://user@host:port/name, no query string): the new
# database is created from the server's maintenance database.
psql "${new_database_url%/*}/postgres" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"${new_database_url##*/}\""
pg_restore --no-owner --exit-on-error --dbname="$new_database_url" "$backup/database.dump"
here=$(cd "$(dirname "$0")/.." && pwd)
DATABASE_URL="$new_database_url" "$here/.venv/bin/python" "$here/manage.py" migrate --check --noinput
DATABASE_URL="$new_database_url" "$here/.venv/bin/python" "$here/manage.py" shell -c "
from django.apps import apps
for model in apps.get_models():
    print(f'{model._meta.label}\t{model._default_manager.count()}')
"
echo "restored in $(( $(date +%s) - started )) s"
