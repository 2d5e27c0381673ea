"""Credit memos: whole or partial corrections of an invoice."""
