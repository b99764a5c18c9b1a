from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("guide/", views.guide_list, name="guide_list"),
    path("guide/<str:code>/", views.guide, name="guide"),
    path("guide/<str:code>/checklist.pdf", views.checklist_pdf, name="checklist_pdf"),
    path("guide/<str:code>/v/<int:version_no>/", views.guide_version, name="guide_version"),
    path(
        "guide/<str:code>/v/<int:version_no>/materials/<int:material_id>/<str:kind>/",
        views.material_file, name="material_file",
    ),
    path("guide/<str:code>/v/<int:version_no>/result-sample/", views.result_sample, name="result_sample"),
]
