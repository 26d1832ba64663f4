"""Where the reader pages' view models went, by concern (issue 10):

- positions/charts.py: stance marks on a scale, the issue chart, gap sparklines;
- positions/diffs.py: word diffs of a demand's wording;
- positions/records.py: a party's, round's and issue's record, grouped for reading;
- positions/page_tools.py: permalink, CSV export address, feeds and citation of a page.

The rules they draw on (standing demands, moves, scales, gaps) are in positions/services.py.
`word_diff` stays importable from here for pages written against the old module.
"""

from positions.diffs import word_diff

__all__ = ["word_diff"]
