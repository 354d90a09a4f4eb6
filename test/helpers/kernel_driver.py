"""Drives the digit-lab kernel cell by cell, pressing Kernel -> Interrupt when asked.

Reads a JSON list of steps on stdin: {"code": str, "interrupt_after": seconds?,
"interrupt_on": text?} (interrupt that many seconds after the cell starts, or once the cell has
printed that text). Prints one JSON list: per step its stream text, its error (ename, evalue,
traceback), the reply status, and "late": messages of that cell that came after its reply
(a front end drops them, or shows them in another cell).
"""
import json, os, queue, sys, time
from jupyter_client.manager import KernelManager

steps = json.load(sys.stdin)
km = KernelManager(kernel_name="digit-lab")
km.start_kernel(cwd=os.environ["DIGIT_LAB_NOTEBOOK_DIR"])
kc = km.client()
kc.start_channels()
results = []
try:
    kc.wait_for_ready(timeout=120)
    ids = []
    for step in steps:
        t0 = time.time()
        mid = kc.execute(step["code"], stop_on_error=False)
        ids.append(mid)
        out = {"stdout": "", "errors": [], "status": None, "late": []}
        results.append(out)
        interrupted = False
        idle = False
        while not idle:
            due = step.get("interrupt_after") is not None and time.time() - t0 > step["interrupt_after"]
            if not interrupted and (due or (step.get("interrupt_on") and step["interrupt_on"] in out["stdout"])):
                km.interrupt_kernel()
                interrupted = True
            try:
                msg = kc.get_iopub_msg(timeout=0.05)
            except queue.Empty:
                if time.time() - t0 > step.get("timeout", 300):
                    raise SystemExit("timeout in step: " + step["code"][:80])
                continue
            parent = msg["parent_header"].get("msg_id")
            kind, content = msg["msg_type"], msg["content"]
            if parent != mid:
                if parent in ids and kind != "status":
                    results[ids.index(parent)]["late"].append(kind + ": " + json.dumps(content)[:300])
                continue
            if kind == "stream":
                out["stdout"] += content["text"]
            elif kind == "error":
                out["errors"].append({k: content[k] for k in ("ename", "evalue", "traceback")})
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        while out["status"] is None:
            reply = kc.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == mid:
                out["status"] = reply["content"]["status"]
    # Late messages of the last cells: give them a moment to arrive.
    end = time.time() + 1
    while time.time() < end:
        try:
            msg = kc.get_iopub_msg(timeout=0.1)
        except queue.Empty:
            continue
        parent = msg["parent_header"].get("msg_id")
        if parent in ids and msg["msg_type"] != "status":
            results[ids.index(parent)]["late"].append(msg["msg_type"] + ": " + json.dumps(msg["content"])[:300])
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print(json.dumps(results))
