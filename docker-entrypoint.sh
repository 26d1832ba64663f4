#!/bin/sh
# Apply migrations and load the shipped dataset on the first start only, then start the given
# command. `--if-missing` skips the load once the dataset's negotiation exists, so a restart never
# undoes edits made in the admin; run `python manage.py load_dataset` by hand to make the data
# match the file again (that overwrites such edits).
set -e
python manage.py migrate --noinput
python manage.py load_dataset --if-missing
exec "$@"
