"""Staff pages of the case engine, grouped by where they are used in the hall."""

from django.urls import include, path

app_name = "cases"

urlpatterns = [
    path("desk/", include("yichuang.cases.urls_front")),
    path("office/prereview/", include("yichuang.cases.urls_prereview")),
    path("office/", include("yichuang.cases.urls_office")),
    path("", include("yichuang.cases.urls_parallel")),
]
