"""The front-desk console (综合窗口), mounted at /desk/."""

from django.urls import path

from . import views_front as views

urlpatterns = [
    path("", views.home, name="front_home"),
    path("items/", views.item_results, name="front_items"),
    path("applicant/", views.applicant_lookup, name="front_applicant"),
    path("new/<str:code>/", views.new_case, name="front_new"),
    path("case/<int:pk>/", views.case_page, name="front_case"),
    path("case/<int:pk>/<slug:action>/", views.case_action, name="front_case_action"),
    path("agent/", views.agent_ledger, name="front_agent_ledger"),
]
