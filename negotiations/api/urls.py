"""The /api/v1/ address space (docs/api.md).

Negotiations, parties and sources have globally unique slugs and live at the top. Rounds and
issues are unique per negotiation only, so they live under it (/negotiations/{slug}/rounds/
{round}/), as do demands and concessions, which name rounds and issues when written. Each of
these four is also listed flat (/rounds/?negotiation=…) for reading across negotiations.
"""

from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import SimpleRouter

from negotiations.api import views
from negotiations.api.datapackage_views import DataPackageView
from negotiations.api.errors import not_found
from negotiations.api.history import history_view
from negotiations.api.plans import PlanViewSet
from negotiations.api.releases import ReleaseDetail, ReleaseDiff, ReleaseList
from negotiations.security import REDOC_POLICY

app_name = "api"

router = SimpleRouter()
router.register("negotiations", views.NegotiationViewSet, basename="negotiation")
router.register("parties", views.PartyViewSet, basename="party")
router.register("sources", views.SourceViewSet, basename="source")
router.register("plans", PlanViewSet, basename="plan")  # docs/plans.md

LIST = {"get": "list"}
LIST_CREATE = {"get": "list", "post": "create"}
DETAIL = {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}


def scoped(collection: str, name: str, viewset, lookup: str):
    """URLs of a record kind that belongs to a negotiation."""
    return [
        path(
            f"negotiations/<slug:negotiation>/{collection}/",
            viewset.as_view(LIST_CREATE),
            name=f"negotiation-{collection}-list",
        ),
        path(
            f"negotiations/<slug:negotiation>/{collection}/{lookup}/",
            viewset.as_view(DETAIL),
            name=f"{name}-detail",
        ),
        path(f"{collection}/", viewset.as_view(LIST), name=f"{name}-list"),
    ]


urlpatterns = [
    path("", views.ApiRoot.as_view(), name="root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from ?script, not inline (for the CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        csp_update(REDOC_POLICY)(SpectacularRedocView.as_view(url_name="api:schema")),
        name="redoc",
    ),
    # Every saved version of one record (negotiations/api/history.py).
    path(
        "negotiations/<slug:negotiation>/history/",
        history_view("negotiation"),
        name="negotiation-history",
    ),
    path("parties/<slug:party>/history/", history_view("party"), name="party-history"),
    path("sources/<slug:source>/history/", history_view("source"), name="source-history"),
    path(
        "negotiations/<slug:negotiation>/rounds/<slug:round>/history/",
        history_view("round"),
        name="round-history",
    ),
    path(
        "negotiations/<slug:negotiation>/issues/<slug:issue>/history/",
        history_view("issue"),
        name="issue-history",
    ),
    path(
        "negotiations/<slug:negotiation>/demands/<int:id>/history/",
        history_view("demand"),
        name="demand-history",
    ),
    path(
        "negotiations/<slug:negotiation>/concessions/<int:id>/history/",
        history_view("concession"),
        name="concession-history",
    ),
    path(
        "negotiations/<slug:negotiation>/datapackage/",
        DataPackageView.as_view(),
        name="negotiation-datapackage",
    ),
    *router.urls,
    *scoped("rounds", "round", views.RoundViewSet, "<slug:round>"),
    *scoped("issues", "issue", views.IssueViewSet, "<slug:issue>"),
    *scoped("demands", "demand", views.DemandViewSet, "<int:pk>"),
    *scoped("concessions", "concession", views.ConcessionViewSet, "<int:pk>"),
    # Releases, their changelogs and diffs (docs/releases.md).
    path(
        "negotiations/<slug:negotiation>/releases/",
        ReleaseList.as_view(),
        name="negotiation-releases",
    ),
    path(
        "negotiations/<slug:negotiation>/releases/<str:tag>/",
        ReleaseDetail.as_view(),
        name="negotiation-release-detail",
    ),
    path(
        "negotiations/<slug:negotiation>/releases/<str:tag>/diff/<str:other>/",
        ReleaseDiff.as_view(),
        name="negotiation-release-diff",
    ),
    # Anything else under /api/v1/ is a JSON 404, not the site's HTML page.
    re_path(r"^.*/$", not_found),
]
