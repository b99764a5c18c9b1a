"""The demo county (示例县): its regions, centres, departments, windows, staff and item catalogue.

Not a Django app: a loader (`seed.load_demo`) and the data it loads through the services,
used by `yichuang seed-demo` and by tests that want a realistic centre.
"""
