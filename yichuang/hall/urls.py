from django.urls import path

from . import views_console, views_public, views_staff

app_name = "hall"

urlpatterns = [
    # The window console (staff)
    path("hall/console/", views_console.console, name="console"),
    path("hall/console/<int:window_id>/", views_console.console, name="console_window"),
    path("hall/console/<int:window_id>/panel/", views_console.panel, name="console_panel"),
    path("hall/console/<int:window_id>/desk/", views_console.desk, name="console_desk"),
    path("hall/console/<int:window_id>/queue/", views_console.queue, name="console_queue"),
    path("hall/console/<int:window_id>/do/<slug:action>/", views_console.act, name="console_act"),
    # Staff pages
    path("hall/metrics/", views_staff.metrics, name="metrics"),
    path("hall/<str:centre>/door/", views_staff.door_poster, name="door_poster"),
    # A person's ticket on their phone
    path("hall/t/<str:token>/", views_public.ticket, name="ticket"),
    path("hall/t/<str:token>/status/", views_public.ticket_status, name="ticket_status"),
    path("hall/t/<str:token>/cancel/", views_public.ticket_cancel, name="ticket_cancel"),
    # Appointments (public, phone-sized)
    path("hall/book/", views_public.book_centres, name="book"),
    path("hall/my/", views_public.my_appointments, name="my_appointments"),
    path("hall/appointment/<str:token>/", views_public.appointment, name="appointment"),
    path("hall/appointment/<str:token>/cancel/", views_public.appointment_cancel, name="appointment_cancel"),
    path("hall/appointment/<str:token>/reschedule/", views_public.appointment_reschedule, name="appointment_reschedule"),
    path("hall/<str:centre>/book/", views_public.book_lines, name="book_lines"),
    path("hall/<str:centre>/book/<slug:line>/", views_public.book_slots, name="book_slots"),
    # Kiosk, door QR page and display screens of a centre
    path("hall/<str:centre>/kiosk/", views_public.kiosk, name="kiosk"),
    path("hall/<str:centre>/kiosk/lines/", views_public.kiosk_lines, name="kiosk_lines"),
    path("hall/<str:centre>/kiosk/items/", views_public.kiosk_items, name="kiosk_items"),
    path("hall/<str:centre>/kiosk/confirm/<slug:line>/", views_public.kiosk_confirm, name="kiosk_confirm"),
    path("hall/<str:centre>/kiosk/take/", views_public.kiosk_take, name="kiosk_take"),
    path("hall/<str:centre>/kiosk/lookup/", views_public.kiosk_lookup, name="kiosk_lookup"),
    path("hall/<str:centre>/kiosk/checkin/", views_public.kiosk_checkin, name="kiosk_checkin"),
    path("hall/<str:centre>/kiosk/ping/", views_public.kiosk_ping, name="kiosk_ping"),
    path("hall/<str:centre>/take/", views_public.phone_take, name="phone_take"),
    path("hall/<str:centre>/display/", views_public.display, name="display"),
    path("hall/<str:centre>/display/fragment/", views_public.display_fragment, name="display_fragment"),
    path("hall/<str:centre>/display/<slug:area>/", views_public.display, name="display_area"),
]
