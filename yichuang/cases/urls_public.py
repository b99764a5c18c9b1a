"""Public pages of the case engine (the progress query), and the notice download that lives outside /office/."""

from django.urls import path

from . import views_notices, views_public

app_name = "cases_public"

urlpatterns = [
    path("progress/", views_public.progress, name="progress"),
    path("office/case/<int:pk>/notice/<int:notice_pk>.pdf", views_notices.notice_pdf, name="notice_pdf"),
]
