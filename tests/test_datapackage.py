"""The data package: a zip a researcher can validate, check and cite (docs/api.md, "Data package").

Validated with the `frictionless` library itself (schemas, types, primary and foreign keys),
checked against its own SHA256SUMS and against the API's CSV exports, and downloaded twice to
show that the same data give the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import frictionless
import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

CSVS = [
    "parties",
    "sources",
    "issues",
    "stances",
    "rounds",
    "demands",
    "concessions",
    "panel",
]


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def download(slug: str) -> bytes:
    response = APIClient().get(reverse("api:negotiation-datapackage", kwargs={"negotiation": slug}))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{slug}-datapackage.zip"'
    return response.content


def unpack(data: bytes, into) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(into)
        return {name: archive.read(name) for name in archive.namelist()}


def validate(directory) -> frictionless.Report:
    return frictionless.validate(str(directory / "datapackage.json"))


def test_the_shipped_datasets_package_validates_and_matches_its_checksums(dataset, tmp_path):
    files = unpack(download(dataset.slug), tmp_path)
    assert sorted(files) == sorted(
        ["datapackage.json", "codebook.md", "SHA256SUMS", *(f"{n}.csv" for n in CSVS)]
    )
    report = validate(tmp_path)
    assert report.valid, report.flatten(["taskName", "type", "note"])[:10]

    sums = dict(reversed(line.split("  ", 1)) for line in files["SHA256SUMS"].decode().splitlines())
    assert set(sums) == set(files) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name

    descriptor = json.loads(files["datapackage.json"])
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert list(resources) == CSVS
    demands = resources["demands"]["schema"]
    assert demands["primaryKey"] == ["id"]
    assert {"fields": ["round_slug"], "reference": {"resource": "rounds", "fields": ["slug"]}} in (
        demands["foreignKeys"]
    )
    types = {f["name"]: f for f in demands["fields"]}
    assert types["stance_value"]["type"] == "integer"
    assert types["round_date"]["type"] == "date"
    # Descriptions come from the serializers' help text, the schema's own words.
    assert types["sources_slug"]["description"].startswith("The sources it rests on")
    panel = {f["name"]: f for f in resources["panel"]["schema"]["fields"]}
    assert panel["stance_scaled"]["description"].startswith("Stance on a 0–1 scale")
    assert panel["stated_here"]["type"] == "boolean"
    # The stance scales: every issue with its rungs, low pole first.
    scales = {scale["issue"]: scale for scale in descriptor["stance_scales"]}
    assert len(scales) == dataset.issues.count()
    nato = [s["label"] for s in scales["nato-membership"]["stances"]]
    assert nato[0] == dataset.issues.get(slug="nato-membership").stances.get(value=0).label
    assert "## Coding rules" in files["codebook.md"].decode()


def test_the_csvs_are_the_apis_csv_exports(dataset, tmp_path):
    files = unpack(download(dataset.slug), tmp_path)
    client = APIClient()
    for name in ("demands", "rounds", "issues"):
        url = reverse(f"api:negotiation-{name}-list", kwargs={"negotiation": dataset.slug})
        response = client.get(url, {"format": "csv"})
        assert b"".join(response.streaming_content) == files[f"{name}.csv"], name
    panel = client.get(
        reverse("api:negotiation-panel", kwargs={"negotiation": dataset.slug}), {"format": "csv"}
    )
    assert panel.content == files["panel.csv"]
    stances = list(csv.DictReader(io.StringIO(files["stances.csv"].decode())))
    assert len(stances) == sum(issue.stances.count() for issue in dataset.issues.all())


def test_a_broken_foreign_key_is_caught_by_the_validation(dataset, tmp_path):
    """The check above can fail: a demand naming a round the package lacks is an error."""
    unpack(download(dataset.slug), tmp_path)
    path = tmp_path / "demands.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    column = rows[0].index("round_slug")
    rows[1][column] = "no-such-round"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    report = validate(tmp_path)
    assert not report.valid
    assert "foreign-key" in {error.type for task in report.tasks for error in task.errors}


def test_two_downloads_are_byte_identical_and_a_change_changes_the_package(talks):
    first = download(talks.negotiation.slug)
    assert download(talks.negotiation.slug) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    talks.r1.title = "Round one, renamed"
    talks.r1.save()
    assert download(talks.negotiation.slug) != first


def test_an_unknown_negotiation_or_parameter_is_a_clear_json_error(talks):
    client = APIClient()
    missing = client.get("/api/v1/negotiations/nowhere/datapackage/", HTTP_ACCEPT="application/zip")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No negotiation “nowhere”."}
    url = reverse("api:negotiation-datapackage", kwargs={"negotiation": talks.negotiation.slug})
    typo = client.get(url, {"relase": "2026.02"})
    assert typo.status_code == 400
    assert "relase" in typo.json()


def test_a_releases_package_holds_the_release_data_after_later_changes(talks, tmp_path):
    from negotiations.releases import cut_release

    cut_release(talks.negotiation, tag="2026.02")
    url = reverse("api:negotiation-datapackage", kwargs={"negotiation": talks.negotiation.slug})
    at_cut = APIClient().get(url).content
    talks.r1.title = "Round one, renamed"
    talks.r1.save()

    pinned = APIClient().get(url + "?release=2026.02")

    assert pinned.status_code == 200
    assert pinned["Parley-Release"] == "2026.02"
    assert b"".join(pinned.streaming_content if pinned.streaming else [pinned.content]) == at_cut
    assert APIClient().get(url).content != at_cut
    assert validate_zip(at_cut, tmp_path).valid


def validate_zip(data: bytes, directory) -> frictionless.Report:
    unpack(data, directory)
    return validate(directory)
