from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from yichuang.api import api
from yichuang.catalog.admin_import import import_view as catalog_import_view
from yichuang.org.views import RateLimitedAdminAuthenticationForm, StaffLoginView

admin.site.site_header = _("一窗 · 政务服务中心管理")
admin.site.site_title = _("一窗管理")
admin.site.index_title = _("中心管理")
# The admin's own login gets the same rate limit as the staff login.
admin.site.login_form = RateLimitedAdminAuthenticationForm

urlpatterns = [
    path("admin/catalog/import/", catalog_import_view, name="catalog_import"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/login/", StaffLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("yichuang.core.urls")),
    path("", include("yichuang.cases.urls")),
    path("", include("yichuang.cases.urls_public")),
    path("", include("yichuang.supervision.urls")),
    path("", include("yichuang.licences.urls")),
    path("", include("yichuang.hall.urls")),
    path("", include("yichuang.catalog.urls")),
    path("", include("yichuang.portal.urls")),
    path("", include("yichuang.feedback.urls")),
    path("", include("yichuang.projects.urls")),
]
