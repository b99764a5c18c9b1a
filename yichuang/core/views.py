from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from .models import SmsMessage


def sms_outbox(request):
    """Developer page: the messages the local SMS backend 'sent' (so demo codes can be read).

    Shown only in DEBUG or to a superuser; in production a real gateway is configured.
    """
    if not (settings.DEBUG or (request.user.is_authenticated and request.user.is_superuser)):
        raise Http404
    phone = request.GET.get("phone", "").strip()
    messages = SmsMessage.objects.all()
    if phone:
        messages = messages.filter(phone=phone)
    return render(request, "core/sms_outbox.html", {"messages": messages[:200], "phone": phone})
