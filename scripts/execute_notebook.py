"""Executes one notebook headless through its Jupyter kernel (nbclient).

Writes the executed notebook (also when a cell fails: partial, up to that cell) and
prints one JSON line: {"ok": true} or {"ok": false, "cell": N, "source": ..., "error": ...},
where "error" is the failing cell's own output: its `error` output's traceback (the
patched tslab sends ename/evalue/traceback; compile errors echo the line with a caret),
and any stderr it wrote before failing.

usage: python3 execute_notebook.py IN.ipynb OUT.ipynb TIMEOUT_SECONDS
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


def main():
    src, dst, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(
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
    print(json.dumps(result))


if __name__ == "__main__":
    main()
