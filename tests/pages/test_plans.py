"""Plan pages: the list, one plan's points, and two plans side by side, point by point."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from positions.plan_models import PointLink
from tests.factories import PlanPointFactory
from tests.pages.conftest import fetch, text_of

pytestmark = pytest.mark.django_db

LIST = "/test-talks/plans/"
FIRST = "/test-talks/plans/first-draft/"
COMPARE = "/test-talks/plans/first-draft/compare/second-draft/"


def test_the_overview_links_the_plans(client, talk_plans):
    page = fetch(client, "/test-talks/")

    links = [a["href"] for a in page.select("#plans a")]
    assert FIRST in links and LIST in links


def test_the_list_shows_each_plan_and_the_pairs_to_compare(client, talk_plans):
    page = fetch(client, LIST)

    assert [h.get_text() for h in page.select(".entry h3")] == ["First draft", "Second draft"]
    assert "Tabled by Southland" in text_of(page)
    assert [a["href"] for a in page.select("#pairs-title ~ ul a")] == [COMPARE]


def test_a_plan_page_gives_each_point_its_issue_stance_and_sources(client, talks, talk_plans):
    page = fetch(client, FIRST)

    points = page.select("li.plan-point")
    assert [p["id"] for p in points] == ["point-1", "point-2", "point-3"]
    first = points[0]
    assert first.select_one("a[href='/test-talks/issues/border/']")
    assert talks.stance(talks.border, 4).label in first.get_text()
    source = talk_plans.points["a1"].sources.get()
    assert first.select_one(f"a.cite[href='/sources/{source.slug}/']")
    assert [a["href"] for a in page.select("nav.pager a")] == [COMPARE]


def test_the_comparison_puts_each_row_under_its_badge_with_both_sides(client, talk_plans):
    page = fetch(client, COMPARE)

    rows = page.select("li.plan-row")
    assert [r.select_one(".badge").get_text() for r in rows] == [
        "reworded",
        "softened",
        "dropped",
        "new",
    ]
    dropped, new = rows[2], rows[3]
    assert "No point in Second draft." in dropped.select_one(".plan-side--later").get_text()
    assert "No point in First draft." in new.select_one(".plan-side--earlier").get_text()
    assert "1 reworded, 1 softened, 1 dropped, 1 new" in page.select_one(".summary").get_text()


def test_a_point_carried_over_shows_its_wording_changes(client, talk_plans):
    page = fetch(client, COMPARE)

    reworded = page.select("li.plan-row")[0].select_one(".plan-side--later .plan-point__text")
    assert [d.get_text() for d in reworded.select("del")] == ["removed: All"]
    assert [i.get_text() for i in reworded.select("ins")] == ["added: Most"]


def test_every_point_in_a_comparison_links_its_source(client, talk_plans):
    page = fetch(client, COMPARE)

    for point in page.select(".plan-point"):
        assert point.select("a.cite[href^='/sources/']"), point.get_text()


def test_a_point_no_link_mentions_is_shown_as_not_coded(client, talk_plans):
    PointLink.objects.filter(kind="dropped").delete()

    page = fetch(client, COMPARE)

    row = page.select("li.plan-row")[2]
    assert row.select_one(".badge").get_text() == "not coded"
    assert "A commission meets every year" in row.get_text()


def test_a_comparison_named_later_first_redirects_to_the_forward_one(client, talk_plans):
    response = client.get("/test-talks/plans/second-draft/compare/first-draft/")

    assert response.status_code == 302
    assert response["Location"] == COMPARE


def test_plans_not_in_one_chain_are_a_404_listing_the_pairs_that_are(client, talk_plans):
    from tests.factories import PlanFactory

    PlanFactory(
        negotiation=talk_plans.first.negotiation, slug="stray", tabled_by=talk_plans.first.tabled_by
    )

    page = fetch(client, "/test-talks/plans/first-draft/compare/stray/", status=404)

    assert "are not one chain of drafts" in text_of(page)
    assert [a["href"] for a in page.select(".option-list a")] == [COMPARE]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/test-talks/plans/no-such-plan/", "There is no plan “no-such-plan” in Test talks"),
        ("/test-talks/plans/first-draft/compare/nope/", "There is no plan “nope”"),
        ("/nowhere/plans/", "There is no negotiation “nowhere”"),
    ],
)
def test_unknown_slugs_are_404s_that_list_what_exists(client, talk_plans, url, words):
    page = fetch(client, url, status=404)

    assert words in text_of(page)


@pytest.mark.parametrize("url", [LIST, FIRST, COMPARE])
def test_query_counts_do_not_grow_with_the_points(client, talk_plans, url):
    with CaptureQueriesContext(connection) as small:
        fetch(client, url)
    for n in range(20):
        earlier = PlanPointFactory(plan=talk_plans.first, number=str(20 + n))
        later = PlanPointFactory(plan=talk_plans.second, number=str(20 + n))
        PointLink.objects.create(
            from_plan=talk_plans.first,
            to_plan=talk_plans.second,
            from_point=earlier,
            to_point=later,
            kind="kept",
        )
    with CaptureQueriesContext(connection) as grown:
        fetch(client, url)

    assert len(grown.captured_queries) == len(small.captured_queries)


def test_plan_pages_are_valid_html(client, talk_plans, tmp_path):
    """The plan pages pass the Nu Html Checker, as every other page type does."""
    import json
    import shutil
    import subprocess
    from pathlib import Path

    from tests.pages.test_html_validity import vnu_jar

    jar, java = vnu_jar(), shutil.which("java")
    assert java, "Java is needed to run the Nu Html Checker (vnu.jar)"
    files = []
    for name, url in {"list": LIST, "plan": FIRST, "compare": COMPARE}.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(client.get(url).content)
        files.append(str(path))
    result = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in json.loads(result.stdout)["messages"]
        if m["type"] == "error"
    ]
    assert errors == []


def test_renaming_a_plan_refreshes_the_cached_overview(client, talk_plans):
    first = client.get("/test-talks/")
    plan = talk_plans.first
    plan.title = "First draft, renamed"
    plan.save()

    again = client.get("/test-talks/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert "First draft, renamed" in again.content.decode()
