from django.urls import path

from . import views, views_bundle, views_licences

app_name = "portal"

urlpatterns = [
    path("portal/", views.home, name="home"),
    path("portal/login/", views.login, name="login"),
    path("portal/register/", views.register, name="register"),
    path("portal/code/", views.send_code, name="send_code"),
    path("portal/logout/", views.logout, name="logout"),
    path("portal/me/", views.profile, name="profile"),
    path("portal/me/realname/", views.realname, name="realname"),
    path("portal/me/password/", views.password_set, name="password_set"),
    path("portal/companies/new/", views.company_new, name="company_new"),
    path("portal/companies/<int:company_id>/", views.company, name="company"),
    path("portal/companies/<int:company_id>/operators/<int:access_id>/revoke/", views.operator_revoke,
         name="operator_revoke"),
    path("portal/apply/<str:code>/", views.apply_start, name="apply_start"),
    path("portal/bundle/<str:code>/apply/", views_bundle.bundle_apply, name="bundle_apply"),
    path("portal/applications/<int:pk>/", views.application, name="application"),
    path("portal/applications/<int:pk>/upload/", views.application_upload, name="application_upload"),
    path("portal/applications/<int:pk>/reuse/", views.application_reuse, name="application_reuse"),
    path("portal/drafts/", views.drafts, name="drafts"),
    path("portal/licences/", views_licences.licences, name="licences"),
    path("portal/licences/<str:identifier>/licence.pdf", views_licences.licence_pdf, name="licence_pdf"),
    path("portal/cases/", views.cases, name="cases"),
    path("portal/cases/<str:number>/", views.case_detail, name="case_detail"),
    path("portal/cases/<str:number>/withdraw/", views.case_withdraw, name="case_withdraw"),
    path("portal/cases/<str:number>/supplement/", views.case_supplement, name="case_supplement"),
    path("portal/cases/<str:number>/upload/", views.case_upload, name="case_upload"),
    path("portal/cases/<str:number>/agents/", views.agent_add, name="agent_add"),
    path("portal/cases/<str:number>/agents/<int:grant_id>/revoke/", views.agent_revoke, name="agent_revoke"),
    path("portal/cases/<str:number>/notices/<int:notice_id>/", views.notice_pdf, name="notice_pdf"),
]
