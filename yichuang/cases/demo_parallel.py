"""The demo centre's bundles (一件事), parent and child cases and joint meetings (idempotent)."""


def seed_demo_parallel(actor, *, today=None) -> list[str]:
    """Create what the demo shows; return one line per thing that changed, for the seed report."""
    return []
