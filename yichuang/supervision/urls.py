"""Electronic supervision pages: the public big screen at /dashboard/, everything else under /supervision/."""

from django.urls import path

from . import views, views_assessment

app_name = "supervision"

urlpatterns = [
    path("dashboard/", views.dashboard_public, name="dashboard_public"),
    path("dashboard/data.json", views.dashboard_public_data, name="dashboard_public_data"),
    path("supervision/", views.home, name="home"),
    path("supervision/dashboard/", views.dashboard_staff, name="dashboard_staff"),
    path("supervision/dashboard/data.json", views.dashboard_staff_data, name="dashboard_staff_data"),
    path("supervision/alarms/", views.alarms, name="alarms"),
    path("supervision/alarms/<int:case_pk>/follow-up/", views.followup_create, name="followup_create"),
    path("supervision/follow-ups/<int:pk>/close/", views.followup_close, name="followup_close"),
    path("supervision/statistics/", views.statistics_page, name="statistics"),
    path("supervision/audits/", views.audits, name="audits"),
    path("supervision/audits/draw/", views.audit_draw, name="audit_draw"),
    path("supervision/audits/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("supervision/audits/sample/<int:pk>/finding/", views.audit_finding, name="audit_finding"),
    path("supervision/defects/", views.defects, name="defects"),
    path("supervision/defects/<int:pk>/respond/", views.defect_respond, name="defect_respond"),
    path("supervision/defects/<int:pk>/review/", views.defect_review, name="defect_review"),
    path("supervision/interviews/", views.interviews, name="interviews"),
    path("supervision/interviews/record/", views.interview_record, name="interview_record"),
    path("assessment/", views_assessment.assessment_public, name="assessment_public"),
    path("supervision/assessment/", views_assessment.assessments, name="assessments"),
    path("supervision/assessment/compute/", views_assessment.assessment_compute, name="assessment_compute"),
    path("supervision/assessment/<str:month>/", views_assessment.assessment_month, name="assessment_month"),
    path("supervision/assessment/<str:month>/confirm/", views_assessment.assessment_confirm,
         name="assessment_confirm"),
    path("supervision/attendance/", views_assessment.attendance, name="attendance"),
    path("supervision/attendance/record/", views_assessment.attendance_record, name="attendance_record"),
    path("supervision/attendance/<int:pk>/remove/", views_assessment.attendance_remove, name="attendance_remove"),
    path("supervision/notifications/", views.notifications, name="notifications"),
    path("supervision/notifications/read/", views.notifications_read, name="notifications_read"),
]
