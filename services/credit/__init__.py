"""Credit: who may owe how much. Applications, references, bureau reports, limits, terms, holds."""
