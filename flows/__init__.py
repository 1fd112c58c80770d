"""Prefect flows composing the qaharvest steps."""
