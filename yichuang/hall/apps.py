from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallAppConfig(AppConfig):
    name = "yichuang.hall"
    label = "hall"
    verbose_name = _("大厅排队叫号与预约")
