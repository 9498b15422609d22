#!/usr/bin/env python3
"""Writes N syslog-like lines (~130 bytes each) with realistic variety, like the
log viewer anchor's dataset (../shared/research/LOGVIEWER_ANCHORS.md):
`Jan  1 00:00:00 web01 nginx[1000]: INFO request id=... user=... path=... status=500 dur=0ms bytes=0`
plus kernel, sshd, cron and systemd messages. About 6% of lines contain
"error". Deterministic (seeded). Usage: gen_syslog.py N OUT"""
import random
import sys

n = int(sys.argv[1])
out = sys.argv[2]
rng = random.Random(42)
hosts = ["web%02d" % i for i in range(1, 9)] + ["db01", "db02", "cache01", "lb01"]
paths = ["/", "/api/v1/users", "/api/v1/orders", "/api/v1/cart", "/login", "/logout",
         "/static/app.js", "/static/app.css", "/healthz", "/metrics", "/api/v2/search",
         "/api/v1/products/%d", "/img/%d.png", "/api/v1/orders/%d/items"]
users = ["user%04d" % i for i in range(2000)]
statuses = [200] * 80 + [201] * 3 + [204] * 3 + [301] * 2 + [304] * 4 + [400] * 2 + \
           [404] * 3 + [500] * 2 + [502] + [503]
months = ["Jan", "Feb", "Mar"]


def nginx(ts, host, pid):
    st = rng.choice(statuses)
    level = "INFO" if st < 400 else ("WARN" if st < 500 else "ERROR")
    p = rng.choice(paths)
    if "%d" in p:
        p = p % rng.randint(1, 99999)
    line = "%s %s nginx[%d]: %s request id=%08x user=%s path=%s status=%d dur=%dms bytes=%d" % (
        ts, host, pid, level, rng.getrandbits(32), rng.choice(users), p, st,
        int(rng.expovariate(1 / 40.0)), rng.randint(0, 65536))
    if st >= 500:
        line += " error=\"upstream timed out\""
    return line


def other(ts, host):
    r = rng.random()
    if r < 0.3:
        return "%s %s sshd[%d]: Accepted publickey for %s from 10.%d.%d.%d port %d ssh2" % (
            ts, host, rng.randint(1000, 60000), rng.choice(users), rng.randint(0, 255),
            rng.randint(0, 255), rng.randint(1, 254), rng.randint(1024, 65535))
    if r < 0.45:
        return "%s %s sshd[%d]: error: maximum authentication attempts exceeded for invalid user admin from 192.168.%d.%d" % (
            ts, host, rng.randint(1000, 60000), rng.randint(0, 255), rng.randint(1, 254))
    if r < 0.65:
        return "%s %s CRON[%d]: (root) CMD (/usr/local/bin/backup.sh --incremental > /dev/null 2>&1)" % (
            ts, host, rng.randint(1000, 60000))
    if r < 0.85:
        return "%s %s systemd[1]: Started Session %d of user %s." % (
            ts, host, rng.randint(1, 99999), rng.choice(users))
    return "%s %s kernel: [%d.%06d] EXT4-fs error (device sda1): ext4_find_entry:1455: inode #%d: comm %s: reading directory lblock 0" % (
        ts, host, rng.randint(0, 999999), rng.randint(0, 999999), rng.randint(2, 9999999),
        rng.choice(["nginx", "postgres", "python3"]))


with open(out, "w", buffering=1 << 22) as f:
    sec = 0
    per_sec = 50
    buf = []
    for i in range(n):
        if i % per_sec == 0:
            sec += 1
        day = 1 + (sec // 86400) % 28
        ts = "%s %2d %02d:%02d:%02d" % (months[(sec // (86400 * 28)) % 3], day,
                                        (sec // 3600) % 24, (sec // 60) % 60, sec % 60)
        host = hosts[rng.randrange(len(hosts))]
        if rng.random() < 0.85:
            buf.append(nginx(ts, host, 1000 + hosts.index(host)))
        else:
            buf.append(other(ts, host))
        if len(buf) >= 10000:
            f.write("\n".join(buf))
            f.write("\n")
            buf = []
    if buf:
        f.write("\n".join(buf))
        f.write("\n")
