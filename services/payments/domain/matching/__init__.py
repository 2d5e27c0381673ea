"""Cash application in plain Python: recognise the payer, read invoice references however mangled,
and propose which open invoices a payment settles, with a confidence and an explanation."""
