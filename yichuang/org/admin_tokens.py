"""Admin for API tokens: list them, revoke them, and create one whose token is shown once.

Tokens are never edited or deleted (the list is the record of which systems could call the
API as whom). Creating one goes through `api_token_create`; the page that follows shows the
token a single time and is not cached.
"""

from django import forms
from django.contrib import admin, messages
from django.forms.models import construct_instance
from django.http import HttpResponse
from django.template import engines
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ApiToken
from .tokens import api_token_create, api_token_problems, api_token_revoke

SHOWN_ONCE = """{% extends "admin/base_site.html" %}
{% block content %}
<div id="content-main">
  <p>{{ intro }}</p>
  <p><code id="api-token" style="font-size:1.2em;user-select:all;padding:.4em .6em;display:inline-block;
     background:var(--darkened-bg);">{{ clear }}</code></p>
  <p>{{ usage }}</p>
  <p><a href="{{ back }}">{{ back_label }}</a></p>
</div>
{% endblock %}"""


class ApiTokenCreateForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("name", "user", "expires_at")

    def _post_clean(self):
        # The service's own checks, per field; the model's full_clean would ask for the hash
        # and prefix that only the service makes.
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        for field, problems in api_token_problems(
            user=self.cleaned_data.get("user"), name=self.cleaned_data.get("name", ""),
            expires_at=self.cleaned_data.get("expires_at"),
        ).items():
            if field in self.fields and field not in self.errors:
                for problem in problems:
                    self.add_error(field, problem)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix_shown", "state", "created_at", "last_used_at", "expires_at")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix", "user__username", "user__display_name")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    actions = ("revoke_tokens",)
    form = ApiTokenCreateForm

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "user", "expires_at")
        return ("name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("org.change_apitoken")

    @admin.display(description=gettext_lazy("令牌前缀"))
    def prefix_shown(self, obj: ApiToken) -> str:
        return obj.prefix + "…"

    @admin.display(description=gettext_lazy("状态"))
    def state(self, obj: ApiToken) -> str:
        if obj.revoked:
            return _("已吊销")
        if obj.expires_at is not None and obj.expires_at <= timezone.now():
            return _("已过期")
        return _("有效")

    @admin.action(description=gettext_lazy("吊销所选令牌（立即生效）"), permissions=["revoke"])
    def revoke_tokens(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked=False):
            api_token_revoke(actor=request.user, token=token)
            count += 1
        self.message_user(request, _("已吊销 %(n)d 个令牌。") % {"n": count}, messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        token, clear = api_token_create(actor=request.user, user=obj.user, name=obj.name, expires_at=obj.expires_at)
        obj.pk = token.pk
        obj.token_hash, obj.prefix, obj.created_at = token.token_hash, token.prefix, token.created_at
        obj._state.adding = False
        obj._clear_token = clear

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "title": _("接口令牌已创建"),
            "intro": _("已为「%(user)s」创建令牌「%(name)s」。令牌只显示这一次，离开本页后无法再次查看，请立即复制并交给使用它的系统：")
            % {"user": obj.user, "name": obj.name},
            "clear": obj._clear_token,
            "usage": _("调用接口时在请求头写 Authorization: Bearer <令牌>。如令牌泄露，请在列表中吊销并重新创建。"),
            "back": "../",
            "back_label": _("返回令牌列表"),
        }
        response = HttpResponse(engines["django"].from_string(SHOWN_ONCE).render(context, request))
        response["Cache-Control"] = "no-store"
        return response

