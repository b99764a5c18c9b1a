"""Real concurrent connections for the PostgreSQL tests: one thread each, started at the same instant."""

import threading

from django.db import connections


def run_together(count, target):
    """Start `count` threads at the same instant; collect what each returned or raised."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(index):
        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as err:  # each thread's outcome is what the test inspects
            results[index] = err
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
