"""The segment report: data.py (SQL + the page's context), charts.py (formatting, SVG charts,
number tables), render.py (the template, build_report and the command line), templates/."""
