"""An independent WebSocket client for the interop spec: Python's `websockets` library.

Takes one JSON scenario (argv[1], or stdin when absent), runs it, prints one JSON result.

Scenario:
  {"url": "ws://127.0.0.1:1234/echo", "subprotocols": ["chat.v1"], "headers": {"Authorization": "..."},
   "timeout": 5, "steps": [{"op": "send_text", "data": "hi"}, {"op": "send_bytes", "hex": "00ff"},
   {"op": "send_json", "data": {...}}, {"op": "receive", "count": 2}, {"op": "wait_closed"},
   {"op": "close", "code": 1000, "reason": ""}]}

Result:
  {"websockets": "17.1", "subprotocol": "chat.v1" | null,
   "received": [{"type": "text", "data": "hi"} | {"type": "bytes", "hex": "00ff"}],
   "close": {"code": 1000, "reason": "", "by": "server" | "client"} | null,
   "refused": {"exception": "InvalidStatus", "status": 401, "body": "..."}   (handshake refused)
   "error": {"exception": "...", "message": "..."}                          (anything else)}

Steps stop at the first close the server starts; the client closes with 1000 after the last
step if the connection is still open.
"""

import asyncio
import json
import sys

import websockets
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus


def encode(message):
    if isinstance(message, bytes):
        return {"type": "bytes", "hex": message.hex()}
    return {"type": "text", "data": message}


def close_info(error, by):
    # rcvd is the peer's close frame; None when the connection dropped without one (1006).
    frame = error.rcvd
    if frame is None:
        return {"code": 1006, "reason": "", "by": by}
    return {"code": frame.code, "reason": frame.reason, "by": by}


async def run(scenario):
    result = {"websockets": websockets.__version__, "subprotocol": None, "received": [], "close": None}
    timeout = scenario.get("timeout", 5)
    try:
        ws = await connect(
            scenario["url"],
            subprotocols=scenario.get("subprotocols") or None,
            additional_headers=scenario.get("headers") or None,
            # Never route a loopback test through a proxy the environment may name.
            proxy=None,
            open_timeout=timeout,
        )
    except InvalidStatus as error:
        response = error.response
        result["refused"] = {
            "exception": type(error).__name__,
            "status": response.status_code,
            "body": response.body.decode("utf-8", "replace") if response.body else "",
        }
        return result
    except Exception as error:  # noqa: BLE001 - a failed handshake of another kind
        result["error"] = {"exception": type(error).__name__, "message": str(error)}
        return result
    result["subprotocol"] = ws.subprotocol
    try:
        for step in scenario.get("steps", []):
            op = step["op"]
            if op == "send_text":
                await ws.send(step["data"])
            elif op == "send_bytes":
                await ws.send(bytes.fromhex(step["hex"]))
            elif op == "send_json":
                await ws.send(json.dumps(step["data"], separators=(",", ":")))
            elif op == "receive":
                for _ in range(step.get("count", 1)):
                    result["received"].append(encode(await asyncio.wait_for(ws.recv(), timeout)))
            elif op == "wait_closed":
                while True:
                    result["received"].append(encode(await asyncio.wait_for(ws.recv(), timeout)))
            elif op == "close":
                await ws.close(step.get("code", 1000), step.get("reason", ""))
                result["close"] = {"code": ws.close_code, "reason": ws.close_reason, "by": "client"}
                return result
            else:
                raise ValueError(f"unknown step {op!r}")
        await ws.close()
        result["close"] = {"code": ws.close_code, "reason": ws.close_reason, "by": "client"}
    except ConnectionClosed as error:
        result["close"] = close_info(error, "server")
    except Exception as error:  # noqa: BLE001 - reported to the spec, which fails on it
        result["error"] = {"exception": type(error).__name__, "message": str(error)}
        await ws.close()
    return result


def main():
    text = sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read()
    print(json.dumps(asyncio.run(run(json.loads(text)))))


if __name__ == "__main__":
    main()
