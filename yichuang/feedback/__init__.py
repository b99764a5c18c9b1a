"""Ratings (好差评) with rectification, callbacks and complaints (投诉)."""
