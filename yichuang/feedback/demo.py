"""The demo centre's 好差评与投诉: called by yichuang.demo.seed after the cases (idempotent)."""


def seed_demo_feedback(actor, *, today=None) -> list[str]:
    """Create what the demo shows; return one line per thing that changed, for the seed report."""
    return []
