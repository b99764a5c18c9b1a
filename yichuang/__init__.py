"""一窗 (yichuang): one window for every approval of a government service centre."""

__version__ = "0.1.0"
