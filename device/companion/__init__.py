"""companion: an offline voice companion that answers in a loved one's words and voice."""

__version__ = "0.1.0"
