"""The dataset loader, and the shipped Russia–Ukraine dataset checked through the position service.

Loader tests use small TOML files written to tmp_path; dataset tests ask the same service the
pages and the API ask (positions_as_of, compare_rounds), so they check what readers will see.
"""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from negotiations.loader import DatasetError, load_dataset
from negotiations.models import Issue, Negotiation, Participant, Party, Round, Source, Stance
from positions.models import CompetingClaim, Concession, Demand
from positions.services import MoveKind, compare_rounds, positions_as_of

MODELS = [
    Negotiation,
    Party,
    Participant,
    Source,
    Issue,
    Stance,
    Round,
    Demand,
    Concession,
    CompetingClaim,
]

SMALL = """
[negotiation]
slug = "border-talks"
title = "Border talks"

[[parties]]
slug = "north"
name = "Northland"
short_name = "NO"

[[parties]]
slug = "south"
name = "Southland"
short_name = "SO"

[[participants]]
party = "north"
role = "principal"

[[participants]]
party = "south"

[[sources]]
slug = "gazette"
kind = "analysis"
outlet = "The Gazette"
published_on = 2025-03-01

[[sources]]
slug = "gazette-quote"
excerpt_of = "gazette"
speaker = "North's envoy"
quote = "All of it."

[[sources]]
slug = "wire"
kind = "media"
outlet = "Wire"
cited_in = "gazette"

[[issues]]
slug = "border"
title = "Border line"
category = "territory"
low_pole = "none"
high_pole = "all"
stances = [
    { value = 0, label = "none" },
    { value = 1, label = "half" },
    { value = 2, label = "all" },
]

[[rounds]]
slug = "r1"
title = "First round"
kind = "talks"
date = 2025-01-15
sources = ["gazette"]

[[rounds]]
slug = "r2"
title = "Second round"
kind = "statement"
date = { precision = "month", year = 2025, month = 2, part = "mid" }
parties = ["north", "south"]
sources = ["gazette", "wire"]

[[statements]]
round = "r1"

[[statements.demands]]
party = "north"
issue = "border"
stance = 2
text = "All of the border land"
sources = ["gazette-quote"]

[[statements.demands]]
party = "south"
issue = "border"
stance = 0
text = "Not one field"
sources = ["gazette"]

[[statements]]
round = "r2"

[[statements.demands]]
party = "north"
issue = "border"
stance = 1
status = "confirmed"
text = "Half of the land"
sources = ["wire"]

[[statements.concessions]]
party = "north"
issue = "border"
text = "Would settle for half"
softens = "r1"
in_return_for = { party = "south", issue = "border", round = "r1" }
sources = ["wire"]
"""


def write(tmp_path: Path, text: str, name: str = "small.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def row_counts() -> dict[str, int]:
    """Return the number of rows and of history rows of every model the loader writes."""
    counts = {m.__name__: m.objects.count() for m in MODELS}
    counts |= {f"history of {m.__name__}": m.history.model.objects.count() for m in MODELS}
    return counts


# --- the loader ---------------------------------------------------------------------------------


def test_a_small_file_loads_with_its_links_and_dates(db, tmp_path):
    report = load_dataset(write(tmp_path, SMALL))

    assert report.negotiation.slug == "border-talks"
    assert report.created["demands"] == 3 and report.created["concessions"] == 1
    r2 = Round.objects.get(slug="r2")
    assert r2.date_display == "mid-February 2025"
    assert {s.slug for s in r2.sources.all()} == {"gazette", "wire"}
    excerpt = Source.objects.get(slug="gazette-quote")
    assert (excerpt.outlet, excerpt.kind, str(excerpt.published_on)) == (
        "The Gazette",
        "analysis",
        "2025-03-01",
    )
    assert Source.objects.get(slug="wire").cited_in.slug == "gazette"
    concession = Concession.objects.get()
    assert concession.softens.text == "All of the border land"
    assert concession.in_return_for.text == "Not one field"


def test_second_load_of_the_shipped_dataset_writes_no_rows_and_no_history(dataset):
    before = row_counts()

    report = load_dataset("russia-ukraine-2025")

    assert (report.total_created, report.total_updated) == (0, 0)
    assert report.total_unchanged == sum(before[m.__name__] for m in MODELS)
    assert row_counts() == before


def test_an_edited_record_is_updated_in_place_with_one_history_row(db, tmp_path):
    load_dataset(write(tmp_path, SMALL))
    before = row_counts()
    edited = SMALL.replace('text = "Half of the land"', 'text = "Half of the land, for peace"')

    report = load_dataset(write(tmp_path, edited))

    assert report.total_created == 0
    assert report.updated["demands"] == 1 and report.total_updated == 1
    after = row_counts()
    assert after["history of Demand"] == before["history of Demand"] + 1
    assert {k: v for k, v in after.items() if k != "history of Demand"} == {
        k: v for k, v in before.items() if k != "history of Demand"
    }
    assert Demand.objects.filter(text="Half of the land, for peace").count() == 1


def test_a_changed_source_list_counts_as_an_update(db, tmp_path):
    load_dataset(write(tmp_path, SMALL))

    report = load_dataset(
        write(tmp_path, SMALL.replace('sources = ["gazette", "wire"]', 'sources = ["wire"]'))
    )

    assert report.updated["rounds"] == 1
    assert [s.slug for s in Round.objects.get(slug="r2").sources.all()] == ["wire"]


def test_a_record_whose_only_change_is_its_sources_is_saved(db, tmp_path):
    """Changed links alone still move updated_at and write history, so caches see the change."""
    load_dataset(write(tmp_path, SMALL))
    round_before = Round.objects.get(slug="r2")
    demand_before = Demand.objects.get(text="Half of the land")
    histories = (round_before.history.count(), demand_before.history.count())
    edited = SMALL.replace('sources = ["gazette", "wire"]', 'sources = ["wire"]').replace(
        'text = "Half of the land"\nsources = ["wire"]',
        'text = "Half of the land"\nsources = ["wire", "gazette-quote"]',
    )
    assert edited.count('sources = ["wire", "gazette-quote"]') == 1

    report = load_dataset(write(tmp_path, edited))

    assert (report.updated["rounds"], report.updated["demands"]) == (1, 1)
    assert report.total_updated == 2
    round_after = Round.objects.get(slug="r2")
    demand_after = Demand.objects.get(text="Half of the land")
    assert round_after.updated_at > round_before.updated_at
    assert demand_after.updated_at > demand_before.updated_at
    assert (round_after.history.count(), demand_after.history.count()) == (
        histories[0] + 1,
        histories[1] + 1,
    )
    assert {s.slug for s in demand_after.sources.all()} == {"wire", "gazette-quote"}
    # Loading the same file again writes nothing.
    assert load_dataset(write(tmp_path, edited)).total_updated == 0


def test_a_directory_of_files_loads_as_one_file_in_name_order(db, tmp_path):
    head, rest = SMALL.split("[[issues]]", 1)
    rounds_part, statements_part = rest.split("[[statements]]", 1)
    folder = tmp_path / "border"
    folder.mkdir()
    # Written out of order: the loader reads them by name, so the frame comes first.
    write(folder, "[[statements]]" + statements_part, "20-statements.toml")
    write(folder, head, "00-frame.toml")
    write(folder, "[[issues]]" + rounds_part, "10-rounds.toml")

    report = load_dataset(folder)

    assert report.created["demands"] == 3 and report.created["concessions"] == 1
    assert load_dataset(folder).total_created == 0


def test_an_error_in_a_directory_names_the_file_and_the_record(db, tmp_path):
    folder = tmp_path / "border"
    folder.mkdir()
    head, rest = SMALL.split("[[issues]]", 1)
    write(folder, head, "00-frame.toml")
    write(folder, "[[issues]]" + rest.replace("month = 2,", "month = 13,"), "10-rounds.toml")

    with pytest.raises(DatasetError, match=r"^10-rounds\.toml: round 'r2': 'date' is not a real"):
        load_dataset(folder)
    assert all(count == 0 for count in row_counts().values())


def test_a_negotiation_given_in_two_files_is_refused(db, tmp_path):
    folder = tmp_path / "border"
    folder.mkdir()
    write(folder, SMALL, "00-a.toml")
    write(folder, '[negotiation]\nslug = "other"\ntitle = "Other"\n', "01-b.toml")

    with pytest.raises(
        DatasetError, match=r"01-b\.toml: \[negotiation\] is given in more than one"
    ):
        load_dataset(folder)


def test_records_the_file_no_longer_holds_are_removed_and_reported(db, tmp_path, capsys):
    load_dataset(write(tmp_path, SMALL))
    # The second version drops round r2 with its demand and concession, and the source 'wire'
    # that only they cited.
    frame_and_r1 = SMALL.split('[[rounds]]\nslug = "r2"')[0]
    r1_statements = SMALL.split('[[statements]]\nround = "r2"')[0].split("[[statements]]", 1)[1]
    shorter = (frame_and_r1 + "[[statements]]" + r1_statements).replace(
        '[[sources]]\nslug = "wire"\nkind = "media"\noutlet = "Wire"\ncited_in = "gazette"\n', ""
    )
    assert 'slug = "r2"' not in shorter and "wire" not in shorter

    call_command("load_dataset", str(write(tmp_path, shorter, "shorter.toml")))

    out = capsys.readouterr().out
    assert "0 created, 0 updated, 14 unchanged, 4 removed." in out
    assert "removed 1 concessions the file no longer holds: north on border at r2" in out
    assert "removed 1 demands the file no longer holds: north on border at r2" in out
    assert "removed 1 rounds the file no longer holds: r2" in out
    assert "removed 1 sources the file no longer holds: wire" in out
    assert not Round.objects.filter(slug="r2").exists()
    assert Demand.objects.count() == 2 and Concession.objects.count() == 0
    assert not Source.objects.filter(slug="wire").exists()
    # Loading the shorter file again removes nothing more; the full file brings them back.
    assert load_dataset(write(tmp_path, shorter, "shorter.toml")).total_removed == 0
    assert load_dataset(write(tmp_path, SMALL)).created["demands"] == 1


def test_a_dropped_demand_a_concession_pointed_to_goes_once_the_file_unlinks_it(db, tmp_path):
    load_dataset(write(tmp_path, SMALL))
    before = row_counts()
    # Dropping south's r1 demand alone leaves the concession's in_return_for pointing at it.
    dropped = SMALL.replace(
        '[[statements.demands]]\nparty = "south"\nissue = "border"\nstance = 0\n'
        'text = "Not one field"\nsources = ["gazette"]\n',
        "",
    ).replace('in_return_for = { party = "south", issue = "border", round = "r1" }\n', "")
    assert "Not one field" not in dropped
    load_dataset(write(tmp_path, dropped))
    assert Demand.objects.count() == before["Demand"] - 1


BAD_FILES = [
    pytest.param(
        'party = "south"\nissue = "border"\nstance = 0',
        'party = "west"\nissue = "border"\nstance = 0',
        r"demand #2 at round 'r1': unknown party 'west'",
        id="unknown-party",
    ),
    pytest.param(
        "stance = 1\n",
        "stance = 7\n",
        r"demand #1 at round 'r2' \(north on border\): stance 7 is not on the scale of issue "
        r"'border' \(values 0, 1, 2\)",
        id="stance-off-the-scale",
    ),
    pytest.param(
        "month = 2,",
        "month = 13,",
        r"round 'r2': 'date' is not a real date: month must be in 1\.\.12",
        id="impossible-month",
    ),
    pytest.param(
        "date = 2025-01-15",
        'date = "15 January 2025"',
        r"round 'r1': 'date' should be a date \(2026-01-24\) or a table",
        id="date-as-free-text",
    ),
    pytest.param(
        'text = "Not one field"\n',
        "",
        r"demand #2 at round 'r1': missing field 'text'",
        id="missing-field",
    ),
    pytest.param(
        "stance = 2\n",
        "stanse = 2\n",
        r"demand #1 at round 'r1': unknown field 'stanse'",
        id="misspelt-field",
    ),
    pytest.param(
        'role = "principal"',
        'role = "chair"',
        r"participant 'north': role: Value 'chair' is not a valid choice",
        id="role-not-a-choice",
    ),
    pytest.param(
        'sources = ["gazette"]\n\n[[rounds]]',
        'sources = ["gazete"]\n\n[[rounds]]',
        r"round 'r1': unknown source 'gazete'",
        id="unknown-source",
    ),
    pytest.param(
        'in_return_for = { party = "south", issue = "border", round = "r1" }',
        'in_return_for = { party = "south", issue = "border", round = "r2" }',
        r"concession #1 at round 'r2' \(north on border\): in_return_for: south has no demand on "
        r"'border' at round 'r2'",
        id="condition-on-a-missing-demand",
    ),
    pytest.param(
        'date = { precision = "month", year = 2025, month = 2, part = "mid" }',
        "date = 2025-01-15",
        r"round 'r2': Another round of this negotiation has this start date and sequence",
        id="two-rounds-on-one-date",
    ),
    pytest.param(
        'sources = ["gazette"]\n\n[[statements]]',
        'sources = ["gazette"]\n\n[[statements.demands]]\nparty = "south"\nissue = "border"\n'
        'text = "Again"\nsources = ["gazette"]\n\n[[statements]]',
        r"demand #3 at round 'r1' \(south on border\): the party already has a demand",
        id="demand-twice",
    ),
    pytest.param(
        'slug = "r1"\ntitle = "First round"',
        'slug = "r1"\ntitle = "First round',
        r"small\.toml is not valid TOML",
        id="broken-toml",
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD_FILES)
def test_a_bad_file_names_the_record_and_loads_nothing(db, tmp_path, old, new, message):
    assert old in SMALL
    path = write(tmp_path, SMALL.replace(old, new, 1))

    with pytest.raises(DatasetError, match=message):
        load_dataset(path)

    assert all(count == 0 for count in row_counts().values())


def test_a_bad_file_leaves_earlier_data_as_it_was(db, tmp_path):
    load_dataset(write(tmp_path, SMALL))
    before = row_counts()
    # The title change comes first in the file and is rolled back with the rest.
    broken = SMALL.replace('title = "Border talks"', 'title = "Renamed talks"').replace(
        "stance = 1\n", "stance = 9\n"
    )

    with pytest.raises(DatasetError, match="stance 9"):
        load_dataset(write(tmp_path, broken))

    assert Negotiation.objects.get().title == "Border talks"
    assert row_counts() == before


def test_the_command_prints_the_report(db, tmp_path, capsys):
    path = write(tmp_path, SMALL)

    call_command("load_dataset", str(path))
    call_command("load_dataset", str(path))

    out = capsys.readouterr().out
    assert "Border talks (border-talks): 18 created, 0 updated, 0 unchanged, 0 removed." in out
    assert "Border talks (border-talks): 0 created, 0 updated, 18 unchanged, 0 removed." in out
    assert "  demands: 3 created, 0 updated, 0 unchanged" in out


def test_a_plain_load_overwrites_admin_edits_and_says_so(db, tmp_path, capsys):
    path = write(tmp_path, SMALL)
    call_command("load_dataset", str(path))
    Demand.objects.filter(text="Half of the land").update(text="Edited in the admin")

    call_command("load_dataset", str(path))

    out = capsys.readouterr().out
    assert Demand.objects.filter(text="Half of the land").exists()
    assert not Demand.objects.filter(text="Edited in the admin").exists()
    assert "overwrites edits made in the admin" in out
    assert "(1 record(s) updated this time)" in out


def test_the_help_says_a_load_overwrites_admin_edits():
    from negotiations.management.commands.load_dataset import Command

    assert "OVERWRITES edits made to it in the admin" in Command.help
    assert "--if-missing" in Command.help


def test_if_missing_loads_a_new_negotiation_and_skips_an_existing_one(db, tmp_path, capsys):
    path = write(tmp_path, SMALL)
    call_command("load_dataset", str(path), "--if-missing")
    assert "Border talks (border-talks): 18 created" in capsys.readouterr().out
    Demand.objects.filter(text="Half of the land").update(text="Edited in the admin")
    before = row_counts()

    call_command("load_dataset", str(path), "--if-missing")

    out = capsys.readouterr().out
    assert "Border talks (border-talks) is in the database already; skipped" in out
    assert "edits made in the admin are kept" in out
    assert row_counts() == before
    assert Demand.objects.filter(text="Edited in the admin").exists()


def test_if_missing_still_refuses_a_file_without_a_negotiation_slug(db, tmp_path):
    path = write(tmp_path, SMALL.replace('slug = "border-talks"\n', "", 1))

    with pytest.raises(CommandError, match=r"Nothing was loaded\. .*names no slug"):
        call_command("load_dataset", str(path), "--if-missing")


def test_the_command_refuses_a_bad_file_with_a_clear_message(db, tmp_path):
    path = write(tmp_path, SMALL.replace("stance = 1\n", "stance = 7\n"))

    with pytest.raises(CommandError, match=r"Nothing was loaded\. .*stance 7 is not on the scale"):
        call_command("load_dataset", str(path))


def test_the_command_names_the_datasets_there_are(db):
    with pytest.raises(
        CommandError,
        match=r"No dataset named 'atlantis'\. Available: .*"
        r"russia-ukraine-2025",
    ):
        call_command("load_dataset", "atlantis")


# --- the shipped dataset ------------------------------------------------------------------------


def rounds(dataset) -> dict[str, Round]:
    return {r.slug: r for r in Round.objects.filter(negotiation=dataset)}


def position(matrix, party_slug: str, issue_slug: str):
    party = next(p for p in matrix.parties if p.slug == party_slug)
    issue = next(i for i in matrix.issues if i.slug == issue_slug)
    return matrix.cell(party, issue)


def change(comparison, party_slug: str, issue_slug: str):
    party = next(p for p in comparison.parties if p.slug == party_slug)
    issue = next(i for i in comparison.issues if i.slug == issue_slug)
    return comparison.change(party, issue)


def test_us_backed_a_ceasefire_first_until_alaska_and_accepted_russias_order_there(dataset):
    r = rounds(dataset)
    eve = positions_as_of(round=r["eve-of-alaska"])
    assert position(eve, "united-states", "ceasefire-sequencing").stance.label == (
        "Immediate general ceasefire as a condition for talks"
    )

    summit = positions_as_of(round=r["alaska-summit"])
    us = position(summit, "united-states", "ceasefire-sequencing")
    russia = position(summit, "russia", "ceasefire-sequencing")
    assert us.stance == russia.stance
    assert us.stance.label == "Negotiate the settlement first, then agree ceasefire terms"

    moved = change(
        compare_rounds(from_round=r["eve-of-alaska"], to_round=r["alaska-summit"]),
        "united-states",
        "ceasefire-sequencing",
    )
    assert (moved.before.stance.value, moved.after.stance.value) == (0, 2)
    assert [p.slug for p in moved.toward] == ["russia"]
    assert [c.softens.round.slug for c in moved.concessions] == ["eve-of-alaska"]


def test_ukraine_and_europe_demanded_an_immediate_ceasefire_on_the_eve_of_alaska(dataset):
    r = rounds(dataset)
    eve = positions_as_of(round=r["eve-of-alaska"])

    for party in ("ukraine", "europe"):
        cell = position(eve, party, "ceasefire-sequencing")
        assert (cell.since, cell.stance.value) == (r["eve-of-alaska"], 0)
        assert "fakti-2026-01-24-eve-of-alaska" in {s.slug for s in cell.demand.sources.all()}
    # Other reporting records the same stance earlier, when Kyiv and four European leaders
    # called for a 30-day ceasefire as the space for talks.
    may = positions_as_of(round=r["kyiv-ceasefire-call"])
    assert {
        position(may, p, "ceasefire-sequencing").stance.value for p in ("ukraine", "europe")
    } == {0}


def test_russias_late_spring_conditions(dataset):
    r = rounds(dataset)
    conditions = positions_as_of(round=r["moscow-conditions"])

    assert r["moscow-conditions"].date_display == "late spring 2025"
    expected = {
        "nato-membership": "Ukraine renounces joining NATO",
        "military-aid": "Western military assistance ends",
        "donbas-withdrawal": "Ukrainian forces leave all of Donetsk and Luhansk",
        "elections": "New elections as a condition for ending the war",
        # The article's words: Russian as the state language "in these territories".
        "language": "Russian a state language in the territories concerned",
    }
    for issue, label in expected.items():
        cell = position(conditions, "russia", issue)
        assert cell.stance.label == label
        assert cell.since == r["moscow-conditions"]
        assert cell.demand.status == Demand.Status.CONFIRMED
    # NATO: the US asked for less (the medium term) than Russia did.
    assert conditions.gaps[position(conditions, "russia", "nato-membership").issue.pk].spread == 1


def test_in_mid_march_russia_agreed_an_energy_strike_halt_but_no_general_ceasefire(dataset):
    r = rounds(dataset)
    call = r["energy-strike-moratorium-call"]
    matrix = positions_as_of(round=call)

    assert call.date_display == "mid-March 2025"
    # Putin's consent to the 30-day halt is a concession, not a Russian demand.
    assert not position(matrix, "russia", "energy-strikes").is_stated
    assert position(matrix, "russia", "ceasefire-sequencing").stance.label == (
        "Only limited halts; no general ceasefire yet"
    )
    assert position(matrix, "united-states", "ceasefire-sequencing").demand.text == (
        "Proposes a general ceasefire."
    )
    energy = change(
        compare_rounds(from_round=r["sanctions-kept-as-leverage"], to_round=call),
        "russia",
        "energy-strikes",
    )
    assert energy.kind == MoveKind.NONE and energy.is_change
    assert [c.status for c in energy.concessions] == [Concession.Status.ACCEPTED]


def test_in_april_the_kremlin_rejected_a_30_day_ceasefire_and_agreed_a_prisoner_exchange(dataset):
    r = rounds(dataset)
    comparison = compare_rounds(
        from_round=r["energy-strike-moratorium-call"], to_round=r["april-russia-ukraine-meeting"]
    )

    assert change(comparison, "russia", "ceasefire-sequencing").kind == MoveKind.RESTATED
    prisoners = change(comparison, "russia", "prisoners")
    assert prisoners.after is None  # the consent is a concession, not a demand
    assert [c.text for c in prisoners.concessions] == [
        "The Kremlin agrees to an exchange of prisoners of war."
    ]
    assert set(r["april-russia-ukraine-meeting"].parties.values_list("slug", flat=True)) == {
        "russia",
        "ukraine",
    }


def test_after_anchorage_russia_offered_to_halt_in_zaporizhzhia_and_kherson_for_donbas(dataset):
    r = rounds(dataset)
    after = r["after-anchorage"]
    assert after.date_display == "16–18 August 2025"
    matrix = positions_as_of(round=after)
    donbas = position(matrix, "russia", "donbas-withdrawal")

    # Reported by Axios, The New York Times and Reuters (through the article): not confirmed.
    assert donbas.since == after and donbas.demand.status == Demand.Status.REPORTED
    outlets = {s.outlet for s in donbas.demand.sources.all()}
    assert {"Axios", "The New York Times", "Reuters", "FAKTI.BG"} <= outlets
    article = Source.objects.get(slug="fakti-2026-01-24")
    for cited in donbas.demand.sources.filter(
        outlet__in=["Axios", "The New York Times", "Reuters"]
    ):
        assert cited.cited_in == article
    # Putin's later, undated confirmation does not confirm an August demand.
    assert not donbas.demand.sources.filter(slug="fakti-2026-01-24-putin-confirms").exists()
    # The one ambiguous sentence no longer makes the US demand a Ukrainian withdrawal.
    assert not position(matrix, "united-states", "donbas-withdrawal").is_stated
    assert not position(matrix, "united-states", "zaporizhzhia-kherson-front").is_stated

    moved = change(
        compare_rounds(from_round=r["alaska-summit"], to_round=after),
        "russia",
        "zaporizhzhia-kherson-front",
    )
    (offer,) = moved.concessions
    assert offer.status == Concession.Status.OFFERED
    assert "Donetsk and Luhansk" in offer.conditions
    assert "where the front stands" not in " ".join(
        Stance.objects.filter(issue__slug="zaporizhzhia-kherson-front").values_list(
            "label", flat=True
        )
    )
    # The article's "Putin later confirmed" sits with his statement of November 2025.
    confirmation = Source.objects.get(slug="fakti-2026-01-24-putin-confirms")
    assert confirmation.speaker == ""
    assert "reporting what Vladimir Putin confirmed" in confirmation.title
    assert {c.round.slug for c in confirmation.concessions.all()} == {"twenty-eight-point-plan"}


def test_strikes_on_ukrainian_and_on_russian_energy_are_separate_issues(dataset):
    r = rounds(dataset)
    oil = r["oil-export-sanctions"]
    matrix = positions_as_of(round=oil)

    # The 30-day halt of strikes on Ukrainian energy still stands for the US ...
    halt = position(matrix, "united-states", "energy-strikes")
    assert halt.since == r["energy-strike-moratorium-call"]
    assert halt.stance.label == "Time-limited halt of strikes on energy facilities"
    assert (
        change(
            compare_rounds(from_round=r["energy-strike-moratorium-call"], to_round=oil),
            "united-states",
            "energy-strikes",
        ).kind
        == MoveKind.UNCHANGED
    )
    # ... while its renewed support for Kyiv's attacks on Russian oil sits on its own issue.
    support = position(matrix, "united-states", "strikes-on-russian-energy")
    assert support.since == oil
    assert support.stance.label == "Ukraine strikes them with US support"
    assert support.demand.status == Demand.Status.CONFIRMED
    # The article says nothing about US military aid, so the US holds no position on it.
    final = positions_as_of(round=r["abu-dhabi-talks"])
    assert not position(final, "united-states", "military-aid").is_stated
    assert not Demand.objects.filter(party__slug="united-states", issue__slug="military-aid")
    # The sanctions round claims no month it cannot support.
    assert oil.end_date.year == 2026 and "August" not in oil.summary


def test_paraphrases_are_not_shown_as_anyones_words(dataset):
    article = Source.objects.get(slug="fakti-2026-01-24")
    excerpts = Source.objects.filter(slug__startswith="fakti-2026-01-24-")

    # Only the words the article itself puts in quotation marks carry a speaker.
    assert dict(excerpts.exclude(speaker="").values_list("slug", "quote")) == {
        "fakti-2026-01-24-driscoll": "Ukraine will not get better terms for peace",
        "fakti-2026-01-24-rubio": "the obstacles to peace are still very great",
    }
    vance = Source.objects.get(slug="fakti-2026-01-24-vance")
    assert vance.speaker == ""
    assert vance.title == (
        "Trump's Dual Approach to Putin (the article's own words, reporting what Vice President "
        "J.D. Vance said)"
    )
    assert vance.quote == (
        "Vice President J.D. Vance stressed in December 2025 that success in achieving peace is "
        "not yet guaranteed."
    )
    for excerpt in excerpts:
        assert (excerpt.outlet, excerpt.author) == (article.outlet, article.author)
        assert excerpt.title.startswith(article.title)


def test_the_28_point_plan_cites_driscoll_and_the_four_documents_exclude_russia(dataset):
    r = rounds(dataset)
    plan = r["twenty-eight-point-plan"]
    assert (plan.date_display, plan.location) == ("late November 2025", "Kyiv")
    us_plan = position(positions_as_of(round=plan), "united-states", "peace-plan")
    assert any(
        s.speaker.startswith("Dan Driscoll")
        and s.quote == "Ukraine will not get better terms for peace"
        for s in us_plan.demand.sources.all()
    )

    # "Presents" was more than the article says: the terms "became known" during the visit.
    assert "Presents" not in us_plan.demand.text and "became known" in us_plan.demand.text
    # The article names no party's demand in the four documents; what the US and Ukraine said of
    # them comes from other reporting, never from the article.
    four = r["four-documents"]
    assert set(four.demands.values_list("party__slug", flat=True)) == {"united-states", "ukraine"}
    assert not four.demands.filter(sources__slug__startswith="fakti-").exists()
    assert four.date_display == "November–December 2025"
    assert set(four.parties.values_list("slug", flat=True)) == {
        "united-states",
        "ukraine",
        "europe",
    }
    # The trilateral meeting is one that never took place, not talks that failed.
    trilateral = r["trilateral-meeting-not-held"]
    assert trilateral.outcome == "The meeting did not take place."
    assert "trilateral-meeting-fails" not in r


def test_vague_dates_are_shown_as_the_article_gives_them(dataset):
    r = rounds(dataset)
    shown = {slug: r[slug].date_display for slug in r}

    assert shown["trump-takes-office"] == "January 2025"
    assert shown["russia-unlikely-to-be-defeated"] == "winter 2025"
    assert shown["us-key-positions"] == "first half of 2025"
    assert shown["un-general-assembly-vote"] == "2025"
    assert shown["energy-strike-moratorium-call"] == "mid-March 2025"
    assert shown["april-russia-ukraine-meeting"] == "April 2025"
    # "Subsequently": after late spring (May), bounded by the article's own month, no later.
    assert shown["oil-export-sanctions"] == "May 2025 – January 2026"
    # "Then": no end the article does not give.
    assert shown["demands-called-excessive"] == "late spring 2025"
    assert shown["alaska-summit"] == "15 August 2025"
    assert shown["trilateral-meeting-not-held"] == "late August 2025"
    assert shown["budapest-summit-cancelled"] == "October 2025"
    assert shown["witkoff-ushakov-model"] == "autumn 2025"
    assert shown["four-documents"] == "November–December 2025"
    # Vance is dated (the article's month, the interview's day); the NYT and Rubio are not, so
    # they are not dated with him.
    assert shown["doubts-about-success"] == "22 December 2025"
    assert shown["doubts-undated"] == "September 2025 – January 2026"
    assert shown["abu-dhabi-talks"] == "23–24 January 2026"
    ordered = [x.slug for x in Round.objects.filter(negotiation=dataset).chronological()]
    assert ordered.index("eve-of-alaska") < ordered.index("alaska-summit")
    assert ordered.index("alaska-summit") < ordered.index("after-anchorage")
    # A period sorts at its start: the documents' November–December before the 28-point plan.
    assert ordered.index("four-documents") < ordered.index("twenty-eight-point-plan")
    assert ordered.index("miami-talks-december") < ordered.index("doubts-about-success")
    assert ordered.index("doubts-about-success") < ordered.index("twenty-point-framework")
    assert ordered[-1] == "abu-dhabi-talks"


def test_every_round_demand_and_concession_cites_a_source(dataset):
    for model, scope in [
        (Round, {"negotiation": dataset}),
        (Demand, {"round__negotiation": dataset}),
        (Concession, {"round__negotiation": dataset}),
    ]:
        records = model.objects.filter(**scope).annotate(n=Count("sources"))
        assert records.exists()
        assert list(records.filter(n=0)) == []


def test_all_four_parties_are_principals_and_only_the_us_also_mediates(dataset):
    participants = Participant.objects.filter(negotiation=dataset).select_related("party")

    assert [(p.party.slug, p.role) for p in participants] == [
        ("united-states", "principal"),
        ("russia", "principal"),
        ("ukraine", "principal"),
        ("europe", "principal"),
    ]
    assert [p.party.slug for p in participants if p.also_mediates] == ["united-states"]
    assert Party.objects.get(slug="europe").kind == Party.Kind.BLOC
    # Everyone who speaks or meets in the data takes part in the negotiation.
    speakers = set(Demand.objects.values_list("party__slug", flat=True))
    speakers |= set(
        Round.objects.filter(negotiation=dataset).values_list("parties__slug", flat=True)
    )
    assert speakers == {p.party.slug for p in participants}


def test_the_article_and_the_outlets_it_cites_are_recorded_without_invented_details(dataset):
    article = Source.objects.get(slug="fakti-2026-01-24")
    assert (article.outlet, article.title, article.author, article.kind) == (
        "FAKTI.BG",
        "Trump's Dual Approach to Putin",
        "Asya Lokina",
        Source.Kind.ANALYSIS,
    )
    assert str(article.published_on) == "2026-01-24" and article.url == ""
    cited = Source.objects.filter(cited_in=article)
    assert set(cited.values_list("outlet", flat=True)) == {"Axios", "The New York Times", "Reuters"}
    assert (
        not cited.exclude(url="").exists() and not cited.filter(published_on__isnull=False).exists()
    )
    assert all(s.kind == Source.Kind.MEDIA for s in cited)


def test_party_colours_are_distinct_and_readable_on_white(dataset):
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    colours = [p.party.colour for p in Participant.objects.filter(negotiation=dataset)]
    assert len(set(colours)) == len(colours)
    for colour in colours:
        assert 1.05 / (luminance(colour) + 0.05) >= 3, colour
