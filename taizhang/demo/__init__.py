"""The demo district: builds a database in which every record says whether it is real (from
the seed reports) or generated, through the same services as the pages."""
