"""Pages of parallel approval: bundles, parent cases and joint meetings (included from cases/urls.py)."""

from django.urls import path

from . import views_parallel as v

urlpatterns = [
    path("office/bundles/", v.bundle_admin_list, name="bundle_admin_list"),
    path("office/bundles/new/", v.bundle_admin_edit, name="bundle_admin_new"),
    path("office/bundles/<slug:code>/", v.bundle_admin_edit, name="bundle_admin_edit"),
    path("office/bundles/<slug:code>/status/", v.bundle_admin_status, name="bundle_admin_status"),
    path("bundle/", v.bundle_guide_list, name="bundle_guide_list"),
    path("bundle/progress/", v.parallel_progress, name="parallel_progress"),
    path("bundle/<slug:code>/", v.bundle_guide, name="bundle_guide"),
    path("desk/bundle/", v.bundle_desk, name="bundle_desk"),
    path("desk/bundle/<slug:code>/", v.bundle_desk_apply, name="bundle_desk_apply"),
    path("office/parallel/", v.parallel_list, name="parallel_list"),
    path("office/parallel/<int:pk>/", v.parallel_parent, name="parallel_parent"),
    path("office/meetings/", v.meeting_list, name="meeting_list"),
    path("office/meetings/new/", v.meeting_new, name="meeting_new"),
    path("office/meetings/<int:pk>/", v.meeting_detail, name="meeting_detail"),
    path("office/meetings/<int:pk>/minutes.pdf", v.meeting_minutes, name="meeting_minutes"),
]
