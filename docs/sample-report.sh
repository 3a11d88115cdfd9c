#!/bin/sh
# Regenerates the sample proposal document of the example household (docs/sample-report.*):
# the HTML, and the PDF's first three pages as PNG (needs the pdf extra and poppler-utils).
# Run from the repository root: sh docs/sample-report.sh
set -e
advisor report portfolios/household.yaml --advisor "A. Adviser (example)" --hedges \
    --output docs/sample-report.html --pdf /tmp/advisor-sample-report.pdf
pdftoppm -r 60 -png -f 1 -l 3 /tmp/advisor-sample-report.pdf docs/sample-report
