"""The journal: balanced postings of every financial document to the chart of accounts."""
