"""Online pre-review (网上预审) pages, mounted at /office/prereview/."""

from django.urls import path

from . import views_prereview as v

urlpatterns = [
    path("", v.prereview_list, name="prereview_list"),
    path("<int:pk>/", v.prereview_case, name="prereview_case"),
    path("<int:pk>/<slug:action>/", v.prereview_action, name="prereview_action"),
]
