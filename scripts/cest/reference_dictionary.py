#!/usr/bin/python3
"""Independent NumPy/SciPy reference for `oncotrack mrf simulate` (benchmark and cross-check).

The same Bloch-McConnell model as src/cest (conventions in include/oncotrack/cest/tissue.h and schedule.h),
written from the equations: water + CEST pools (x, y, z) + a z-only semisolid pool, exact propagation with
scipy.linalg.expm of the augmented generator, continuous-wave saturation only. Reads the same schedule and grid
JSON files; prints entries/s and optionally writes the signals (.npy) for comparison.

Usage: /usr/bin/python3 scripts/cest/reference_dictionary.py SCHEDULE GRID [--limit N] [--out signals.npy]
"""
import argparse
import functools
import itertools
import json
import math
import time

import numpy as np
from scipy.linalg import expm

GAMMA_HZ_PER_UT = 42.5764


def axis(v):
    if isinstance(v, (int, float)):
        return [float(v)]
    if isinstance(v, list):
        return [float(x) for x in v]
    n = int(math.floor((v["to"] - v["from"]) / v["step"] + 1e-9)) + 1
    return [v["from"] + v["step"] * i for i in range(n)]


def grid_axes(grid):
    """(name, values) in the order of include/oncotrack/cest/grid.h."""
    axes = [("water.t1_s", axis(grid["water"]["t1_s"])), ("water.t2_s", axis(grid["water"]["t2_s"]))]
    pools = []
    for p in grid.get("cest", []):
        keys = ["shift_ppm", "exchange_rate_per_s", "concentration_mm" if "concentration_mm" in p else "fraction",
                "t1_s", "t2_s"]
        pools.append((p["name"], keys, p.get("protons", 0)))
        axes += [(p["name"] + "." + k, axis(p[k])) for k in keys]
    mt = grid.get("mt")
    if mt:
        keys = ["shift_ppm", "exchange_rate_per_s", "concentration_mm" if "concentration_mm" in mt else "fraction"]
        if mt["t1_s"] != "water":
            keys.append("t1_s")
        keys.append("t2_s")
        axes += [("mt." + k, axis(mt[k])) for k in keys]
    axes.append(("b0_shift_ppm", axis(grid.get("b0_shift_ppm", 0.0))))
    axes.append(("b1_scale", axis(grid.get("b1_scale", 1.0))))
    return axes, pools, mt


@functools.lru_cache(maxsize=4096)
def super_lorentzian(t2, dw):
    a = max(abs(dw) * t2, 1e-3)
    u = np.linspace(0.0, 1.0, 200001)[:-1] + 0.5 / 200000
    x = 3 * u * u - 1
    return float(np.mean(math.sqrt(2 / math.pi) * t2 / np.abs(x) * np.exp(-2 * (a / x) ** 2)))


def generator(v, pools, mt, b1_ut, offset_ppm, w_ppm):
    n_liquid = 1 + len(pools)
    size = 3 * n_liquid + (1 if mt else 0) + 1
    a = np.zeros((size, size))
    w1 = 2 * math.pi * GAMMA_HZ_PER_UT * b1_ut * v["b1_scale"]
    b0 = v["b0_shift_ppm"]

    def liquid(o, shift, r1, r2, m0):
        dw = (shift + b0 - offset_ppm) * w_ppm
        a[o:o + 3, o:o + 3] += [[-r2, -dw, 0.0], [dw, -r2, -w1], [0.0, w1, -r1]]
        a[o + 2, -1] += r1 * m0

    liquid(0, 0.0, 1 / v["water.t1_s"], 1 / v["water.t2_s"], 1.0)
    for i, (name, keys, protons) in enumerate(pools):
        f = v[name + "." + keys[2]] * (protons / 110000.0 if protons else 1.0)
        k = v[name + ".exchange_rate_per_s"]
        o = 3 * (i + 1)
        liquid(o, v[name + ".shift_ppm"], 1 / v[name + ".t1_s"], 1 / v[name + ".t2_s"], f)
        for c in range(3):
            a[c, c] -= k * f
            a[c, o + c] += k
            a[o + c, o + c] -= k
            a[o + c, c] += k * f
    if mt:
        protons = mt.get("protons", 0)
        f = v["mt.concentration_mm"] * protons / 110000.0 if "concentration_mm" in mt else v["mt.fraction"]
        k = v["mt.exchange_rate_per_s"]
        t1 = v["water.t1_s"] if mt["t1_s"] == "water" else v["mt.t1_s"]
        dw = (v["mt.shift_ppm"] + b0 - offset_ppm) * w_ppm
        t2 = v["mt.t2_s"]
        if mt.get("lineshape", "super_lorentzian") == "lorentzian":
            g = t2 / math.pi / (1 + (dw * t2) ** 2)
        else:
            g = super_lorentzian(t2, dw)
        o = size - 2
        a[o, o] = -1 / t1 - (math.pi * w1 * w1 * g if w1 else 0.0)
        a[o, -1] = f / t1
        a[2, 2] -= k * f
        a[2, o] += k
        a[o, o] -= k
        a[o, 2] += k * f
    return a


def per_image(schedule, key, default, n):
    v = schedule.get(key, default)
    return [float(x) for x in v] if isinstance(v, list) else [float(v)] * n


def simulate(v, pools, mt, schedule):
    n = max(len(schedule[k]) for k in ("offset_ppm", "b1_ut", "tsat_s") if isinstance(schedule[k], list))
    offsets = per_image(schedule, "offset_ppm", 0, n)
    b1 = per_image(schedule, "b1_ut", 0, n)
    tsat = per_image(schedule, "tsat_s", 0, n)
    tr = per_image(schedule, "tr_s", None, n) if "tr_s" in schedule else tsat
    flip = per_image(schedule, "readout_flip_deg", 90, n)
    w_ppm = 2 * math.pi * GAMMA_HZ_PER_UT * schedule["b0_tesla"]
    m0_state = None
    out = []
    relax = generator(v, pools, mt, 0.0, 0.0, w_ppm)
    for i in range(n):
        a = generator(v, pools, mt, b1[i], offsets[i], w_ppm)
        if m0_state is None:
            m0_state = np.zeros(a.shape[0])
            m0_state[2] = 1.0
            for j, (name, keys, protons) in enumerate(pools):
                m0_state[3 * (j + 1) + 2] = v[name + "." + keys[2]] * (protons / 110000.0 if protons else 1.0)
            if mt:
                m0_state[-2] = (v["mt.concentration_mm"] * mt["protons"] / 110000.0
                                if "concentration_mm" in mt else v["mt.fraction"])
            m0_state[-1] = 1.0
            m = m0_state.copy()
        if schedule.get("magnetisation", "carry_over") == "reset":
            m = m0_state.copy()
        m = expm(a * tsat[i]) @ m
        liquid = 3 * (1 + len(pools))
        m[0:liquid:3] = 0.0
        m[1:liquid:3] = 0.0
        t = math.radians(flip[i])
        out.append(m[2] * math.sin(t))
        y, z = m[1:liquid:3].copy(), m[2:liquid:3].copy()
        m[1:liquid:3] = math.cos(t) * y - math.sin(t) * z
        m[2:liquid:3] = math.sin(t) * y + math.cos(t) * z
        m[0:liquid:3] = 0.0
        m[1:liquid:3] = 0.0
        m = expm(relax * (tr[i] - tsat[i])) @ m
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("schedule")
    p.add_argument("grid")
    p.add_argument("--limit", type=int, default=0, help="simulate only the first N entries")
    p.add_argument("--out", help="write the signals [N, T] as .npy")
    p.add_argument("--compare", help="a dictionary from `oncotrack mrf simulate` with the same schedule and "
                   "grid: print the largest |difference| over the simulated entries")
    a = p.parse_args()
    schedule = json.load(open(a.schedule))
    if schedule.get("saturation") != "continuous_wave":
        raise SystemExit("reference_dictionary.py: only continuous_wave schedules")
    axes, pools, mt = grid_axes(json.load(open(a.grid)))
    names = [n for n, _ in axes]
    entries = itertools.product(*[vals for _, vals in axes])
    if a.limit:
        entries = itertools.islice(entries, a.limit)
    entries = list(entries)
    simulate(dict(zip(names, entries[0])), pools, mt, schedule)  # untimed: SciPy's first calls cost ~0.1 s
    start = time.perf_counter()
    signals = [simulate(dict(zip(names, e)), pools, mt, schedule) for e in entries]
    seconds = time.perf_counter() - start
    print(f"entries {len(signals)} seconds {seconds:.3f} entries_per_s {len(signals) / seconds:.2f}")
    if a.out:
        np.save(a.out, np.array(signals, dtype=np.float64))
    if a.compare:
        ours = read_signals(a.compare)[: len(signals)]
        print(f"max_abs_difference {np.max(np.abs(ours - np.array(signals))):.3e}")


def read_signals(path):
    """The "signals" tensor of a dictionary file (safetensors: u64 header length, JSON header, data)."""
    raw = open(path, "rb").read()
    n = int.from_bytes(raw[:8], "little")
    entry = json.loads(raw[8:8 + n])["signals"]
    begin, end = entry["data_offsets"]
    return np.frombuffer(raw[8 + n + begin:8 + n + end], dtype="<f4").reshape(entry["shape"]).astype(np.float64)


if __name__ == "__main__":
    main()
