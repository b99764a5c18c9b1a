"""Hall queue: tickets issued per second, calls per second with 50 windows, display update delay.

    .venv/bin/python benchmarks/hall_bench.py [--kiosks 20] [--tickets 2000] [--windows 50] [--calls 20]

Builds a throwaway SQLite database (or uses DATABASE_URL, which it migrates), a centre with
seven lines and `--windows` windows each with its own clerk, then measures, through the
services and one database connection per thread, as in production:

* issuing: `--kiosks` threads take `--tickets` tickets in all, spread over the lines;
* calling: every window's clerk calls next and finishes, all at once, until the queue is empty
  (each call is a row lock with SKIP LOCKED on PostgreSQL, the database write lock on SQLite);
* display delay: a real HTTP server, a display polling its fragment every second as the page
  does, and `--calls` calls at random moments; the delay is from the call's commit to the
  poll that first shows the number.

Every write also appends to the hash-chained audit log, as it does in production. Prints the
machine, the database and the figures.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["YICHUANG_DATA_DIR"] = tempfile.mkdtemp(prefix="yichuang-hall-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yichuang.settings_test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build(windows: int):
    import datetime

    from yichuang.hall.models import HallSettings, LineWindow, ServiceLine
    from yichuang.org.models import Region, Role, ServiceCentre, User, Window

    stamp = str(int(time.time()))[-6:]
    region, _ = Region.objects.get_or_create(code="339998000000", defaults={"name": "基准测试县", "level": 3})
    centre = ServiceCentre.objects.create(code=f"B{stamp}", name="基准测试中心", region=region)
    HallSettings.objects.create(centre=centre, open_every_day=True, opens_at=datetime.time(0), closes_at=datetime.time(23, 59, 59),
                                last_ticket_minutes=0, sms_enabled=False)
    lines = [ServiceLine.objects.create(centre=centre, code=f"l{n}", name=f"队列{n}", prefix=chr(ord("A") + n), sort_order=n)
             for n in range(7)]
    clerk_role = Role.objects.get(code="clerk")
    pairs = []
    for n in range(windows):
        window = Window.objects.create(centre=centre, number=f"W{n:02d}", name="综合窗口")
        # Each window serves two lines: its own first, a neighbour's second, as halls are set up.
        LineWindow.objects.create(line=lines[n % 7], window=window, priority=1)
        LineWindow.objects.create(line=lines[(n + 1) % 7], window=window, priority=2)
        clerk = User.objects.create_user(f"bench{stamp}_{n}", password=None, centre=centre)
        clerk.roles.add(clerk_role)
        clerk.windows.add(window)
        pairs.append((window, User.objects.get(pk=clerk.pk)))
    return centre, lines, pairs


def run_threads(count: int, target) -> tuple[float, list]:
    from django.db import connections

    barrier = threading.Barrier(count + 1)
    results: list = [None] * count

    def worker(index):
        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as err:  # reported below
            results[index] = err
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, results


def bench_issue(centre, lines, kiosks: int, tickets: int) -> float:
    from yichuang.hall.services import ticket_take

    per_kiosk = tickets // kiosks

    def kiosk(index):
        rng = random.Random(index)
        for _ in range(per_kiosk):
            ticket_take(centre=centre, line=rng.choice(lines))
        return per_kiosk

    elapsed, results = run_threads(kiosks, kiosk)
    errors = [r for r in results if isinstance(r, Exception)]
    if errors:
        print(f"  取号出错 {len(errors)} 个线程：{errors[0]!r}")
    issued = sum(r for r in results if isinstance(r, int))
    print(f"取号：{kiosks} 台取号机并发，共 {issued} 张，用时 {elapsed:.2f} 秒 → {issued / elapsed:.0f} 张/秒")
    return issued / elapsed


def bench_calls(pairs) -> float:
    from yichuang.hall.services import ticket_call_next, ticket_finish

    def window_loop(index):
        window, clerk = pairs[index]
        calls = 0
        while True:
            ticket = ticket_call_next(actor=clerk, window=window)
            if ticket is None:
                return calls
            calls += 1
            ticket_finish(actor=clerk, window=window, ticket=ticket)

    elapsed, results = run_threads(len(pairs), window_loop)
    errors = [r for r in results if isinstance(r, Exception)]
    if errors:
        print(f"  叫号出错 {len(errors)} 个窗口：{errors[0]!r}")
    calls = sum(r for r in results if isinstance(r, int))
    print(f"叫号：{len(pairs)} 个窗口同时叫号并办结，共叫 {calls} 个号（每个号叫号+办结两次写入），"
          f"用时 {elapsed:.2f} 秒 → {calls / elapsed:.0f} 次叫号/秒")
    from django.db.models import Count

    from yichuang.hall.models import TicketEvent

    twice = (
        TicketEvent.objects.filter(centre=pairs[0][0].centre, action=TicketEvent.Action.CALLED)
        .values("ticket").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    print(f"  被叫到不止一次的号：{twice} 个（应为 0：同一时刻叫号的两个窗口不会叫到同一个号）")
    return calls / elapsed


def bench_display(centre, lines, pairs, calls: int) -> list[float]:
    import re
    import urllib.request
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.handlers.wsgi import WSGIHandler
    from django.urls import reverse

    from yichuang.hall.services import ticket_call_next, ticket_finish, ticket_take

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    class ThreadingServer(WSGIServer):
        daemon_threads = True

        def process_request(self, request, client_address):
            threading.Thread(target=self._handle, args=(request, client_address), daemon=True).start()

        def _handle(self, request, client_address):
            from django.db import connections

            try:
                self.finish_request(request, client_address)
            finally:
                self.shutdown_request(request)
                connections.close_all()

    server = make_server("127.0.0.1", 0, WSGIHandler(), server_class=ThreadingServer, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    fragment = base + reverse("hall:display_fragment", args=[centre.code])
    page = urllib.request.urlopen(base + reverse("hall:display", args=[centre.code])).read().decode()
    state = {"cursor": re.search(r"cursor=(\d+)", page).group(1), "rendered": re.search(r"rendered=(\d+)", page).group(1)}
    seen: dict[str, float] = {}
    render_times: list[float] = []
    stop = threading.Event()

    def display():
        # As the page does: ask every second with the last cursor; 204 means nothing new.
        while not stop.is_set():
            began = time.perf_counter()
            response = urllib.request.urlopen(f"{fragment}?cursor={state['cursor']}&rendered={state['rendered']}")
            body = response.read().decode()
            if response.status == 200:
                render_times.append(time.perf_counter() - began)
                state["cursor"] = re.search(r"cursor=(\d+)", body).group(1)
                state["rendered"] = re.search(r"rendered=(\d+)", body).group(1)
                now_number = re.search(r'data-now-number="([^"]+)"', body)
                if now_number and now_number.group(1) not in seen:
                    seen[now_number.group(1)] = time.perf_counter()
            stop.wait(max(0.0, 1.0 - (time.perf_counter() - began)))

    for _ in range(calls):
        ticket_take(centre=centre, line=lines[0])
    poller = threading.Thread(target=display, daemon=True)
    poller.start()
    window, clerk = next((w, c) for w, c in pairs if w.line_windows.filter(line=lines[0], priority=1).exists())
    rng = random.Random(7)
    delays = []
    for _ in range(calls):
        time.sleep(rng.uniform(0.3, 2.2))
        ticket = ticket_call_next(actor=clerk, window=window)
        committed = time.perf_counter()
        deadline = committed + 5
        while ticket.number not in seen and time.perf_counter() < deadline:
            time.sleep(0.01)
        if ticket.number in seen:
            delays.append(seen[ticket.number] - committed)
        ticket_finish(actor=clerk, window=window, ticket=ticket)
    stop.set()
    server.shutdown()
    if delays:
        ordered = sorted(delays)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        print(f"显示屏：每秒轮询一次，{len(delays)} 次叫号，从叫号提交到屏幕显示：平均 {statistics.mean(delays):.2f} 秒，"
              f"95% {p95:.2f} 秒，最长 {max(delays):.2f} 秒")
    if render_times:
        print(f"  有变化时片段生成 {statistics.mean(render_times) * 1000:.0f} 毫秒（平均，含网络往返）")
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--windows", type=int, default=50)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    with connection.cursor() as cursor:
        version = connection.vendor
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            import sqlite3

            version = f"SQLite {sqlite3.sqlite_version}（WAL）"
    print(f"机器：{platform.platform()}，{os.cpu_count()} 个 CPU，Python {platform.python_version()}；数据库：{version}")
    print(f"日期：{time.strftime('%Y-%m-%d')}")
    centre, lines, pairs = build(args.windows)
    bench_issue(centre, lines, args.kiosks, args.tickets)
    bench_calls(pairs)
    bench_display(centre, lines, pairs, args.calls)


if __name__ == "__main__":
    main()
