"""The back office and the result window, mounted at /office/."""

from django.urls import path

from . import views_office as v

urlpatterns = [
    path("inbox/", v.inbox, name="office_inbox"),
    path("cases/", v.case_search, name="office_search"),
    path("case/<int:pk>/", v.case_detail, name="office_case"),
    path("case/<int:pk>/file/<int:file_pk>/", v.case_file, name="office_case_file"),
    path("case/<int:pk>/step/", v.case_step, name="office_step"),
    path("case/<int:pk>/send-back/", v.case_send_back, name="office_send_back"),
    path("case/<int:pk>/special/start/", v.case_special_start, name="office_special_start"),
    path("case/<int:pk>/special/end/", v.case_special_end, name="office_special_end"),
    path("case/<int:pk>/extension/request/", v.case_extension_request, name="office_extension_request"),
    path("case/<int:pk>/extension/decide/", v.case_extension_decide, name="office_extension_decide"),
    path("case/<int:pk>/approve/", v.case_approve, name="office_approve"),
    path("case/<int:pk>/deny/", v.case_deny, name="office_deny"),
    path("case/<int:pk>/revoke/", v.case_revoke, name="office_revoke"),
    path("case/<int:pk>/withdraw/", v.case_withdraw, name="office_withdraw"),
    path("case/<int:pk>/correction/approve/", v.case_approve_correction, name="office_approve_correction"),
    path("results/", v.results, name="office_results"),
    path("results/<int:pk>/deliver/", v.deliver, name="office_deliver"),
    path("results/<int:pk>/supplement/", v.supplement, name="office_supplement"),
]
