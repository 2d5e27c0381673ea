"""Documents customers receive: PDF pages (`Document`), money as printed (`format_money`),
Latin-1-safe text (`latin1`) and Jinja2 for plain-text letters (`text_environment`)."""

from shared.documents.formatting import format_money, format_money_with_code
from shared.documents.pdf import Document, Millimetres, Points
from shared.documents.templates import text_environment
from shared.documents.text import latin1

__all__ = [
    "Document",
    "Millimetres",
    "Points",
    "format_money",
    "format_money_with_code",
    "latin1",
    "text_environment",
]
