from django.urls import path

from . import views

app_name = "licences"

urlpatterns = [
    path("licences/verify/", views.verify_form, name="verify_form"),
    path("licences/verify/<str:identifier>/", views.verify_result, name="verify_result"),
    path("licences/", views.library, name="library"),
    path("licences/l/<str:identifier>/", views.detail, name="detail"),
    path("licences/l/<str:identifier>/licence.pdf", views.licence_pdf, name="pdf"),
    path("licences/l/<str:identifier>/<slug:action>/", views.act, name="act"),
    path("licences/case/<int:case_id>/issue/", views.issue, name="issue"),
    path("licences/seal/<int:pk>/image.png", views.seal_image, name="seal_image"),
]
