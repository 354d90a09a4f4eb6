"""Executes one notebook headless through its Jupyter kernel (nbclient).

Writes the executed notebook (also when a cell fails: partial, up to that cell) and
prints one JSON line: {"ok": true} or {"ok": false, "cell": N, "source": ..., "error": ...},
where "error" is the failing cell's own output: its `error` output's traceback (the
patched tslab sends ename/evalue/traceback; compile errors echo the line with a caret),
and any stderr it wrote before failing.

With DISPLAYS.json, also writes every message that filled or updated a display with an id
(display_data, update_display_data) in the order the kernel sent them, without their HTML:
the executed notebook keeps only the last state of an output updated in place, such as live
training curves, and this is how a test sees that it was drawn while the cell ran.

usage: python3 execute_notebook.py IN.ipynb OUT.ipynb TIMEOUT_SECONDS [DISPLAYS.json]
"""
import json
import os
import re
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError


def cell_error_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            text = "\n".join(out.get("traceback") or []) or "%s: %s" % (out.get("ename"), out.get("evalue"))
            if text.strip(": \n"):
                parts.append(text)
    # Tracebacks carry ANSI colours (the error's name in red) for front ends; this line is for logs.
    return re.sub(r"\x1b\[[0-9;]*m", "", "".join(parts)).strip()


class RecordingClient(NotebookClient):
    """A NotebookClient that keeps the messages sent to displays with an id (see the module's doc)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.displays = []

    def process_message(self, msg, cell, cell_index):
        content = msg.get("content", {})
        display_id = content.get("transient", {}).get("display_id")
        if display_id and msg.get("msg_type") in ("display_data", "update_display_data"):
            data = {k: v for k, v in content.get("data", {}).items() if k != "text/html"}
            self.displays.append({"cell": cell_index, "display": display_id, "data": data})
        return super().process_message(msg, cell, cell_index)


def main():
    src, dst, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
    displays_file = sys.argv[4] if len(sys.argv) > 4 else None
    nb = nbformat.read(src, as_version=4)
    client = RecordingClient(
        nb,
        timeout=timeout,
        kernel_name=nb.metadata.get("kernelspec", {}).get("name", "digit-lab"),
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
    )
    result = {"ok": True}
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as err:
        index = next(
            (i for i, c in enumerate(nb.cells) if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", []))),
            None,
        )
        if index is None:  # a timeout: the last cell that started
            index = max((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count")), default=0)
        cell = nb.cells[index]
        result = {
            "ok": False,
            "cell": index,
            "source": cell.source,
            "error": cell_error_text(cell) or str(err).strip().splitlines()[-1],
        }
    nbformat.write(nb, dst)
    if displays_file:
        with open(displays_file, "w") as f:
            json.dump(client.displays, f)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
