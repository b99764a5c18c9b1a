from django.urls import path

from . import views, views_staff

app_name = "feedback"

urlpatterns = [
    # public
    path("feedback/rate/<str:number>/", views.rate_online, name="rate_online"),
    path("feedback/r/<str:token>/", views.rating_public, name="rating_public"),
    path("feedback/pad/<int:window_id>/", views.pad, name="pad"),
    path("feedback/pad/<int:window_id>/next/", views.pad_next, name="pad_next"),
    path("feedback/pad/<int:window_id>/rate/", views.pad_rate, name="pad_rate"),
    path("feedback/pad/<int:window_id>/invite/", views.pad_invite, name="pad_invite"),
    path("complaints/new/", views.complaint_new_public, name="complaint_new_public"),
    path("complaints/lookup/", views.complaint_lookup, name="complaint_lookup"),
    # staff
    path("feedback/", views_staff.home, name="home"),
    path("feedback/ratings/", views_staff.rating_list, name="ratings"),
    path("feedback/ratings/<int:pk>/", views_staff.rating_detail, name="rating_detail"),
    path("feedback/ratings/<int:pk>/step/", views_staff.rectification_step, name="rectification_step"),
    path("feedback/ratings/<int:pk>/appeal/", views_staff.appeal_new, name="appeal_new"),
    path("feedback/appeals/<int:pk>/decide/", views_staff.appeal_decide, name="appeal_decide"),
    path("feedback/hotline/", views_staff.hotline, name="hotline"),
    path("feedback/callbacks/", views_staff.callbacks, name="callbacks"),
    path("feedback/callbacks/draw/", views_staff.callback_draw, name="callback_draw"),
    path("feedback/callbacks/<int:pk>/", views_staff.callback_record, name="callback_record"),
    path("feedback/complaints/", views_staff.complaint_list, name="complaints"),
    path("feedback/complaints/new/", views_staff.complaint_new, name="complaint_new"),
    path("feedback/complaints/<int:pk>/", views_staff.complaint_detail, name="complaint_detail"),
    path("feedback/complaints/<int:pk>/act/", views_staff.complaint_act, name="complaint_act"),
    path("feedback/reports/", views_staff.reports, name="reports"),
]
