#!/usr/bin/env python3
"""A registry that misbehaves on purpose, on 127.0.0.1, for hostile_inputs.sh.

Usage: hostile_registry.py MODE PORT_FILE
  drip     every answer: 200 with a 1 MB Content-Length, then 100 bytes every
           30 s (a HEAD gets its headers dripped the same way)
  stall    reads the request, then sends nothing
  endless  500 with a body that never ends, as fast as it can be sent
Listens on a free port and writes it to PORT_FILE once it accepts.
"""
import socket
import sys
import threading
import time

DRIP = b"x" * 100


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data.split(b" ", 1)[0]


def serve(conn, mode):
    try:
        method = read_request(conn)
        if method is None:
            return
        if mode == "stall":
            time.sleep(3600)
        elif mode == "drip":
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            if method == b"HEAD":
                while True:
                    conn.sendall(b"X-Drip: " + DRIP + b"\r\n")
                    time.sleep(30)
            conn.sendall(b"Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
            while True:
                conn.sendall(DRIP)
                time.sleep(30)
        elif mode == "endless":
            conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
                         b"Connection: close\r\n\r\n")
            block = b"endless error body " * 3000
            while True:
                conn.sendall(block)
    except OSError:
        pass  # the client gave up: what is being tested
    finally:
        conn.close()


def main():
    mode, port_file = sys.argv[1], sys.argv[2]
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    with open(port_file + ".tmp", "w") as out:
        out.write(str(server.getsockname()[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn, mode), daemon=True).start()


if __name__ == "__main__":
    main()
