"""The demo centre's 网上办事大厅: called by yichuang.demo.seed after the cases (idempotent)."""


def seed_demo_portal(actor, *, today=None) -> list[str]:
    """Create what the demo shows; return one line per thing that changed, for the seed report."""
    return []
