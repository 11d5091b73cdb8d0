"""Reading the numbers back out of a report page: the SVG charts' bars and the tables beside."""

from html.parser import HTMLParser


class ChartReader(HTMLParser):
    """Collects, per chart id, {row key: {series: value}} from the SVG (bars, plus "total"
    from the row group) and from the table with data-chart (cells with data-value are the
    total, cells with data-series a series), and the bars' widths."""

    def __init__(self):
        super().__init__()
        self.svg: dict[str, dict[str, dict[str, float]]] = {}
        self.table: dict[str, dict[str, dict[str, float]]] = {}
        self.widths: dict[str, list[tuple[float, float]]] = {}
        self._svg_id = self._table_id = self._row = self._cell = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and "chart" in (a.get("class") or ""):
            self._svg_id = a["id"]
            self.svg[self._svg_id] = {}
            self.widths[self._svg_id] = []
        elif tag == "g" and self._svg_id and "data-row" in a:
            self._row = a["data-row"]
            self.svg[self._svg_id][self._row] = {"total": float(a["data-total"])}
        elif tag == "rect" and self._svg_id and "data-value" in a:
            value = float(a["data-value"])
            self.svg[self._svg_id][self._row][a["data-series"]] = value
            self.widths[self._svg_id].append((value, float(a["width"])))
        elif tag == "table" and "data-chart" in a:
            self._table_id = a["data-chart"]
            self.table[self._table_id] = {}
        elif tag == "tr" and self._table_id and "data-row" in a:
            self._row = a["data-row"]
            self.table[self._table_id][self._row] = {}
        elif tag == "td" and self._table_id and self._row is not None:
            if "data-value" in a or "data-total" in a:
                self._cell = "total"
            elif "data-series" in a:
                self._cell = a["data-series"]
            self._text = ""

    def handle_data(self, data):
        if self._cell:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg_id = None
        elif tag == "table":
            self._table_id = None
            self._row = None
        elif tag == "td" and self._cell:
            self.table[self._table_id][self._row][self._cell] = float(self._text.strip())
            self._cell = None


def read_charts(html: str) -> ChartReader:
    reader = ChartReader()
    reader.feed(html)
    return reader
