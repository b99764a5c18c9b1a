from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="list"),
    path("projects/new/", views.project_new, name="new"),
    path("projects/checks/", views.checks, name="checks"),
    path("projects/case/<int:pk>/commitment/", views.commitment_new, name="commitment_new"),
    path("projects/<str:code>/", views.project_detail, name="detail"),
    path("projects/<str:code>/stage/<int:number>/apply/", views.stage_apply, name="stage_apply"),
    path("projects/<str:code>/meeting/", views.meeting_new, name="meeting_new"),
]
