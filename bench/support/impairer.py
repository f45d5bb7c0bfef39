#!/usr/bin/python3
"""A userspace network impairer: a two-port Ethernet wire with loss, delay and a black-hole switch.

Why not `tc netem`: the kernels these tests run on are built without sch_netem ("Specified qdisc
kind is unknown") and without nf_tables/iptables, so neither netem nor an NFQUEUE can drop or delay
packets. This program runs inside a middle network namespace holding two veth ends (A and B, no IP
addresses), reads every frame arriving on one with an AF_PACKET socket and writes it out of the
other after the impairment: dropped with probability `loss` (each direction on its own), held for
`delayMs` (each way, so the round trip gains twice that), or dropped whatever it is while
`outage` is on. Rate caps stay in the kernel (`tc tbf` on these two ends, applied by the caller).

PACKET_VNET_HDR carries the kernel's offload metadata (GSO size, partial checksums) across with
each frame, so TCP super-frames and UDP datagrams with checksums left to the NIC cross intact.

Control: one JSON object per line on stdin, e.g. {"loss": 0.05, "delayMs": 100, "outage": false};
every line is answered on stdout with one JSON line of counters. EOF on stdin stops the program.
"""
import heapq
import json
import os
import random
import select
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
PACKET_VNET_HDR = 15
SOL_PACKET = 263


def open_port(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    s.bind((ifname, ETH_P_ALL))
    s.setblocking(False)
    return s


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: impairer.py IFACE_A IFACE_B\n")
        return 2
    a, b = open_port(sys.argv[1]), open_port(sys.argv[2])
    peer = {a: b, b: a}
    name = {a: "ab", b: "ba"}
    cfg = {"loss": 0.0, "delayMs": 0.0, "outage": False}
    stats = {d: {"forwarded": 0, "lost": 0, "blackholed": 0, "queueDrops": 0} for d in ("ab", "ba")}
    rng = random.Random(int.from_bytes(os.urandom(8), "big"))
    line = b""
    heap = []
    seq = 0
    stdin = sys.stdin.fileno()
    os.set_blocking(stdin, False)
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()

    def send(dst, frame, direction):
        try:
            dst.send(frame)
            stats[direction]["forwarded"] += 1
        except OSError:
            # ENOBUFS/EAGAIN: the kernel queue (tbf under a rate cap) is full; a real bottleneck drops too.
            stats[direction]["queueDrops"] += 1

    while True:
        now = time.monotonic()
        timeout = max(0.0, heap[0][0] - now) if heap else 0.5
        readable, _, _ = select.select([a, b, stdin], [], [], timeout)
        for src in readable:
            if src == stdin:
                chunk = os.read(stdin, 4096)
                if not chunk:
                    return 0
                line += chunk
                while b"\n" in line:
                    raw, line = line.split(b"\n", 1)
                    if raw.strip():
                        cfg.update(json.loads(raw))
                    sys.stdout.write(json.dumps({"config": cfg, "stats": stats}) + "\n")
                    sys.stdout.flush()
                continue
            direction = name[src]
            for _ in range(256):
                try:
                    frame, addr = src.recvfrom(70000)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue  # our own writes, seen again on the port they left by
                if cfg["outage"]:
                    stats[direction]["blackholed"] += 1
                    continue
                if cfg["loss"] > 0 and rng.random() < cfg["loss"]:
                    stats[direction]["lost"] += 1
                    continue
                if cfg["delayMs"] <= 0 and not heap:
                    send(peer[src], frame, direction)
                else:
                    seq += 1
                    heapq.heappush(heap, (time.monotonic() + cfg["delayMs"] / 1000.0, seq, peer[src], frame, direction))
        now = time.monotonic()
        while heap and heap[0][0] <= now:
            _, _, dst, frame, direction = heapq.heappop(heap)
            send(dst, frame, direction)


if __name__ == "__main__":
    sys.exit(main())
