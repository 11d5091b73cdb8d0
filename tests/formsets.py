"""Build the POST data of a Django formset, the way the browser sends it."""


def formset_data(prefix: str, rows: list[dict], initial: int | None = None) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows) if initial is None else initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            if value is None or value is False:
                continue  # an unticked box or empty choice is not sent at all
            data[f"{prefix}-{index}-{name}"] = "on" if value is True else value
    return data
