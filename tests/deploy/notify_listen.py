#!/usr/bin/python3
"""A stand-in for systemd's notification socket.

notify_listen.py PATH SECONDS: bind a datagram socket at PATH with
SO_PASSCRED and print one line per message received, until STOPPING=1
arrives or SECONDS pass:
    <unix time> <sender pid> <message, newlines as '|'>
The sender pid comes from the kernel (SCM_CREDENTIALS), as systemd reads
it for NotifyAccess=main.
"""
import os
import socket
import struct
import sys
import time


def main():
    path, limit = sys.argv[1], float(sys.argv[2])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    s.bind(path)
    os.chmod(path, 0o777)
    print("listening", flush=True)
    deadline = time.time() + limit
    ucred = struct.calcsize("3i")
    while time.time() < deadline:
        s.settimeout(max(0.01, deadline - time.time()))
        try:
            msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(ucred))
        except socket.timeout:
            break
        pid = -1
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("3i", data[:ucred])[0]
        text = msg.decode("utf-8", "replace").strip().replace("\n", "|")
        print(f"{time.time():.6f} {pid} {text}", flush=True)
        if "STOPPING=1" in text.split("|"):
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
