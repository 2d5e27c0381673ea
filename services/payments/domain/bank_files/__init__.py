"""Bank and lockbox files read into receipts: BAI2, ISO 20022 camt.053/camt.054, NACHA CCD+/CTX
and a configurable CSV lockbox layout. A line that cannot be read is reported with its number
and the others are kept; a file that cannot be read at all is refused whole."""
