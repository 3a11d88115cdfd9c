"""Holdings: reading a client's files (custodian exports) into :class:`~advisor.domain.Holdings`.

``tables`` turns bytes into numbered rows of cells, ``numbers`` and ``dates`` read cells,
``tickers`` spells tickers one way, ``instruments`` reads bonds' and options' terms, ``read`` makes
positions, cash and warnings of the rows, with ``instrument_lines`` for the bond and option lines
and ``lines`` for what shows only across lines.
"""
