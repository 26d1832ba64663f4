"""The readers' pages and feeds, mounted at the site root (docs/pages.md lists the scheme).

Fixed prefixes come first, so a negotiation can never shadow the party and source pages.
"""

from django.urls import path

from positions import feeds, plan_views, release_views, views
from positions.freshness import conditional_page

urlpatterns = [
    path("", views.home, name="home"),
    path("parties/<slug:party>/", views.party_detail, name="party-detail"),
    path(
        "parties/<slug:party>/feed/",
        conditional_page(scope="site")(feeds.PartyFeed()),
        name="party-feed",
    ),
    path("sources/<slug:source>/", views.source_detail, name="source-detail"),
    # Each public record's versions (docs/pages.md, "History"); names end in "-history", which
    # ?release= and ?known_on= refuse (negotiations/reading.py).
    path("sources/<slug:source>/history/", views.source_history, name="source-history"),
    path("<slug:negotiation>/", views.negotiation_detail, name="negotiation-detail"),
    path(
        "<slug:negotiation>/feed/",
        conditional_page(scope="negotiation")(feeds.NegotiationFeed()),
        name="negotiation-feed",
    ),
    path("<slug:negotiation>/history/", views.negotiation_history, name="negotiation-history"),
    path("<slug:negotiation>/compare/", views.compare_form, name="compare-form"),
    path(
        "<slug:negotiation>/compare/<slug:from_round>/<slug:to_round>/",
        views.compare,
        name="compare",
    ),
    path("<slug:negotiation>/issues/<slug:issue>/", views.issue_detail, name="issue-detail"),
    path(
        "<slug:negotiation>/issues/<slug:issue>/feed/",
        conditional_page(scope="negotiation")(feeds.IssueFeed()),
        name="issue-feed",
    ),
    path("<slug:negotiation>/rounds/<slug:round>/", views.round_detail, name="round-detail"),
    path(
        "<slug:negotiation>/rounds/<slug:round>/history/",
        views.round_history,
        name="round-history",
    ),
    path(
        "<slug:negotiation>/issues/<slug:issue>/history/",
        views.issue_history,
        name="issue-history",
    ),
    path(
        "<slug:negotiation>/demands/<int:id>/history/",
        views.demand_history,
        name="demand-history",
    ),
    path(
        "<slug:negotiation>/concessions/<int:id>/history/",
        views.concession_history,
        name="concession-history",
    ),
    # Plans and their point-by-point comparison (docs/plans.md).
    path("<slug:negotiation>/plans/", plan_views.plan_list, name="plan-list"),
    path("<slug:negotiation>/plans/<slug:plan>/", plan_views.plan_detail, name="plan-detail"),
    path(
        "<slug:negotiation>/plans/<slug:plan>/compare/<slug:later>/",
        plan_views.plan_compare,
        name="plan-compare",
    ),
    # Releases, their changelogs and diffs (docs/releases.md).
    path("<slug:negotiation>/releases/", release_views.release_list, name="release-list"),
    path(
        "<slug:negotiation>/releases/<str:tag>/",
        release_views.release_detail,
        name="release-detail",
    ),
    path(
        "<slug:negotiation>/releases/<str:tag>/diff/<str:other>/",
        release_views.release_diff,
        name="release-diff",
    ),
]
