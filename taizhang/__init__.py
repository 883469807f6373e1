"""Taizhang (台账): a district's ledger of projects, plans, progress and problems."""

__version__ = "0.1.0"
