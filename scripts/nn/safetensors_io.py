"""Writer and reader of oncotrack's weights/fixture container (the safetensors layout), numpy only.

File = u64 little-endian N | N bytes of JSON header | data section (raw little-endian values).
Header: {"__metadata__": {key: string, ...}, "<name>": {"dtype": "F32"|"F16"|"BF16", "shape": [...],
         "data_offsets": [begin, end]}, ...}, offsets relative to the start of the data section.

The writer is deterministic: metadata keys and tensor names in sorted (byte-wise) order, data laid out in name
order with no gaps, compact ASCII JSON padded with spaces to a multiple of 8 bytes. Values are given as float32
and converted on write: F16 by IEEE round-to-nearest-even (numpy), BF16 by round-to-nearest-even of the float32
bits (NaN stays a quiet NaN).
"""
import json
import struct

import numpy as np

DTYPE_SIZES = {"F32": 4, "F16": 2, "BF16": 2}


def f32_to_bf16_bits(values):
    """float32 array -> uint16 bfloat16 bit patterns, round-to-nearest-even."""
    bits = np.ascontiguousarray(values, dtype="<f4").view("<u4").astype(np.uint64)
    out = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(np.asarray(values, dtype=np.float32))
    out[nan] = ((bits[nan] >> 16) | 0x40).astype(np.uint16)
    return out


def bf16_bits_to_f32(bits):
    return (np.asarray(bits, dtype=np.uint16).astype("<u4") << 16).view("<f4")


def encode(values, dtype):
    """float32 array -> little-endian bytes of `dtype`."""
    a = np.ascontiguousarray(values, dtype=np.float32)
    if dtype == "F32":
        return a.astype("<f4").tobytes()
    if dtype == "F16":
        return a.astype("<f2").tobytes()
    if dtype == "BF16":
        return f32_to_bf16_bits(a).astype("<u2").tobytes()
    raise ValueError(f"unknown dtype {dtype!r} (expected F32, F16 or BF16)")


def decode(raw, dtype, shape):
    """Little-endian bytes of `dtype` -> float32 array of `shape`."""
    if dtype == "F32":
        flat = np.frombuffer(raw, dtype="<f4")
    elif dtype == "F16":
        flat = np.frombuffer(raw, dtype="<f2")
    elif dtype == "BF16":
        flat = bf16_bits_to_f32(np.frombuffer(raw, dtype="<u2"))
    else:
        raise ValueError(f"unknown dtype {dtype!r}")
    return flat.astype(np.float32).reshape(shape)


def to_bytes(tensors, metadata=None, dtype="F32"):
    """Serialise {name: array} and {key: str} metadata; every tensor stored as `dtype`, or as dtype[name] when
    `dtype` is a dict."""
    metadata = metadata or {}
    header = {}
    if metadata:
        for key, value in metadata.items():
            if not isinstance(value, str):
                raise TypeError(f"metadata value of {key!r} must be a string, got {type(value).__name__}")
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata)}
    chunks, offset = [], 0
    for name in sorted(tensors):
        if not name or name == "__metadata__":
            raise ValueError(f"invalid tensor name {name!r}")
        array = np.asarray(tensors[name])
        stored = dtype[name] if isinstance(dtype, dict) else dtype
        data = encode(array, stored)
        header[name] = {"dtype": stored, "shape": [int(d) for d in array.shape],
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write(path, tensors, metadata=None, dtype="F32"):
    with open(path, "wb") as f:
        f.write(to_bytes(tensors, metadata, dtype))


def from_bytes(blob, where="<bytes>"):
    """Parse and validate; returns (tensors {name: float32 array}, metadata {key: str}, dtypes {name: str})."""
    if len(blob) < 8:
        raise ValueError(f"{where}: file shorter than the 8-byte header length")
    (n,) = struct.unpack_from("<Q", blob, 0)
    if n > len(blob) - 8:
        raise ValueError(f"{where}: header length {n} exceeds the file ({len(blob)} bytes)")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors, dtypes, spans = {}, {}, []
    for name, entry in header.items():
        dtype, shape = entry["dtype"], entry["shape"]
        begin, end = entry["data_offsets"]
        count = int(np.prod(shape, dtype=np.int64))
        if dtype not in DTYPE_SIZES:
            raise ValueError(f"{where}: tensor {name}: unknown dtype {dtype}")
        if not 0 <= begin <= end <= len(data) or end - begin != count * DTYPE_SIZES[dtype]:
            raise ValueError(f"{where}: tensor {name}: bad data_offsets [{begin},{end}]")
        spans.append((begin, end, name))
        tensors[name] = decode(data[begin:end], dtype, shape)
        dtypes[name] = dtype
    spans.sort()
    for (_, end_a, a), (begin_b, _, b) in zip(spans, spans[1:]):
        if begin_b < end_a:
            raise ValueError(f"{where}: tensors {a} and {b} overlap")
    return tensors, metadata, dtypes


def read(path):
    with open(path, "rb") as f:
        return from_bytes(f.read(), str(path))
