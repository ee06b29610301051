#!/bin/sh
# Back up Tongtong: the PostgreSQL database (custom format, restorable with
# pg_restore) and the uploaded photos (PRIVATE_MEDIA_ROOT/photos since issue
# 14; give any folder of files to keep), into one dated folder.
#
#   scripts/backup.sh DATABASE_URL PHOTOS_DIR BACKUP_DIR
#
# Redis needs no backup: it holds only the task queue and the cache; every
# message is in the database outbox until it is sent (docs/notifications.md).
set -eu
database_url=$1
media_root=$2
backup_dir=$3
stamp=$(date +%Y-%m-%dT%H%M%S)
target="$backup_dir/tongtong-$stamp"
mkdir -p "$target"
pg_dump --format=custom --no-owner --file="$target/database.dump" "$database_url"
if [ -d "$media_root" ]; then
    tar -C "$media_root" -czf "$target/media.tar.gz" .
fi
echo "$target"
