from django.urls import path

from . import views

urlpatterns = [
    path("dev/sms/", views.sms_outbox, name="sms_outbox"),
]
