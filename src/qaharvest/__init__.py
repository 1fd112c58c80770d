"""qaharvest: scraped 'People also ask' pages → clean, deduplicated, validated Q&A releases."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("qaharvest")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"
