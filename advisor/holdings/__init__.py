"""Holdings: reading a client's files (custodian exports) into :class:`~advisor.domain.Holdings`.

``tables`` turns bytes into numbered rows of cells, ``tickers`` spells tickers one way, ``read``
makes positions, cash and warnings of the rows.
"""
