#!/bin/sh
# Apply migrations and load (or refresh) the shipped dataset, then start the given command.
# Both steps are idempotent, so restarting a container or adding replicas is safe.
set -e
python manage.py migrate --noinput
python manage.py load_dataset
exec "$@"
