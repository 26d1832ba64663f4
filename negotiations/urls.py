from django.contrib import admin
from django.urls import include, path

from negotiations.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("negotiations.api.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("positions.urls")),
]
