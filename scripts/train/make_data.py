#!/usr/bin/python3
"""Synthetic longitudinal brain-tumour series (T1 post-contrast) with ground truth, for training and
evaluating oncotrack's default model. Run with Debian's system interpreter (numpy, scipy, nibabel):

    /usr/bin/python3 scripts/train/make_data.py --out DIR --subjects 300 --seed 1 [--workers 2]

Anatomy is real: the Colin27 T1 head and its brain mask from Debian's mricron-data
(/usr/share/mricron/templates/ch2.nii.gz, ch2bet.nii.gz; 1 mm). Every subject gets its own anatomy by a
random affine (±8° per axis, scales 0.9–1.1, shifts ±5 mm) and a smooth random deformation (2–5 mm);
every timepoint is "scanned" on its own native axial grid (in-plane 0.85–1.3 mm, slices 1–7 mm thick, the
slice profile averaged over sub-samples 1 mm apart) with scalp fat and marrow brightened to real T1c levels
(brighten_extracranial), enhancing vessels (thin bright curves, not tumour), a multiplicative bias field
(±30 %), an intensity gamma (0.75–1.3) and gain, and Rician noise (SNR 12–40), stored as int16 like scanner
data.

Lesions (1–3, equivalent radius 4–25 mm, centres deep enough in the brain): irregular ellipsoids (random
axes, a random smooth radial perturbation), an enhancing rim 1.15–1.65 × white matter with texture, a
necrotic core (70 % of lesions ≥ 8 mm) at CSF-like intensity, T1-hypointense oedema (tissue × 0.8–1.0) out
to 1.3–2.0 × the lesion radius inside the brain, and mass effect (tissue pushed outwards, up to half the
radius). The mask is the whole lesion (rim and core, not oedema), as in TCIA Brain-Tumor-Progression.

Each subject has a baseline (day 0) and one follow-up (day 60) in one of five courses: complete response
(every lesion gone), partial response (volume × 0.05–0.3), stable (× 0.6–1.4), progression (× 1.8–4) and a
new lesion (existing ones × 0.8–1.3, one new). "responder" (the label of the response head) is 1 for
complete and partial response. The head does not move between timepoints.

Output under DIR: manifest.csv (subject,timepoint,day,sequence,path,mask; oncotrack's manifest format),
truth.json (per subject: course, responder, per timepoint the native spacing, lesions and mask volume),
sub-<id>/ses-<tp>/anat/sub-<id>_ses-<tp>_ce-gadolinium_T1w.nii.gz and ..._desc-tumor_mask.nii.gz.
Deterministic: subject i draws from numpy's PCG64 seeded with (seed, i), so the same seed gives the same
files (gzip without timestamps) whatever the number of workers.
"""
import argparse
import gzip
import json
import multiprocessing
import os
import sys

import nibabel as nib
import numpy as np
from scipy import ndimage

TEMPLATES = "/usr/share/mricron/templates"
WHITE_MATTER = 118.0  # Colin27 white-matter level (ch2 units)
CSF = 30.0
COURSES = ["complete_response", "partial_response", "stable", "progression", "new_lesion"]
COURSE_P = [0.2, 0.2, 0.2, 0.25, 0.15]


class Anatomy:
    """Colin27 head, brain mask and the distance (mm) from each voxel to outside the brain."""

    def __init__(self):
        head = nib.load(os.path.join(TEMPLATES, "ch2.nii.gz"))
        self.t1 = np.asarray(head.get_fdata(), dtype=np.float32)
        self.brain = (nib.load(os.path.join(TEMPLATES, "ch2bet.nii.gz")).get_fdata() > 0).astype(np.float32)
        self.depth = ndimage.distance_transform_edt(self.brain).astype(np.float32)
        self.affine = head.affine
        self.inverse = np.linalg.inv(head.affine)
        ijk = np.argwhere(self.t1 > 10)
        lo, hi = ijk.min(0), ijk.max(0)
        world = lambda v: self.affine[:3, :3] @ v + self.affine[:3, 3]
        self.box_lo, self.box_hi = world(lo) - 4.0, world(hi) + 4.0  # head bounding box (mm) + margin
        self.centre = 0.5 * (self.box_lo + self.box_hi)

    def sample(self, volume, points_mm, order=1):
        ijk = points_mm @ self.inverse[:3, :3].T + self.inverse[:3, 3]
        return ndimage.map_coordinates(volume, ijk.T, order=order, mode="constant", cval=0.0)


def rotation(rng, max_deg):
    r = np.eye(3)
    for axis in range(3):
        a = np.deg2rad(rng.uniform(-max_deg, max_deg))
        c, s = np.cos(a), np.sin(a)
        i, j = [k for k in range(3) if k != axis]
        m = np.eye(3)
        m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
        r = r @ m
    return r


class SubjectWarp:
    """Subject point (mm) -> Colin27 point: affine about the head centre plus a smooth displacement."""

    def __init__(self, rng, anatomy):
        self.centre = anatomy.centre
        self.matrix = rotation(rng, 8.0) @ np.diag(rng.uniform(0.9, 1.1, 3))
        self.shift = rng.uniform(-5, 5, 3)
        self.step = 10.0
        self.lo = anatomy.box_lo - 2 * self.step
        shape = np.ceil((anatomy.box_hi - self.lo) / self.step).astype(int) + 3
        amplitude = rng.uniform(2.0, 5.0)
        field = rng.normal(size=(3, *shape))
        field = np.stack([ndimage.gaussian_filter(f, 1.5) for f in field])
        self.field = (field * amplitude / max(field.std(), 1e-6)).astype(np.float32)

    def __call__(self, points):
        moved = (points - self.centre) @ self.matrix.T + self.centre + self.shift
        grid = ((points - self.lo) / self.step).T
        disp = np.stack([ndimage.map_coordinates(f, grid, order=1, mode="nearest") for f in self.field], 1)
        return moved + disp


class WarpedAnatomy:
    """The subject's head and brain mask resampled once through its SubjectWarp onto a 1 mm grid over the
    head box (subject frame), so that scanning a timepoint costs two interpolations per sample."""

    def __init__(self, anatomy, warp):
        self.lo = anatomy.box_lo
        shape = np.ceil(anatomy.box_hi - anatomy.box_lo).astype(int) + 1
        self.t1 = np.empty(shape, np.float32)
        self.brain = np.empty(shape, np.float32)
        gy, gz = np.meshgrid(self.lo[1] + np.arange(shape[1]), self.lo[2] + np.arange(shape[2]), indexing="ij")
        for i in range(shape[0]):
            pts = np.stack([np.full(gy.size, self.lo[0] + i), gy.ravel(), gz.ravel()], 1)
            atlas = warp(pts)
            self.t1[i] = anatomy.sample(anatomy.t1, atlas).reshape(gy.shape)
            self.brain[i] = anatomy.sample(anatomy.brain, atlas).reshape(gy.shape)

    def brighten_extracranial(self, rng):
        """Scalp fat and marrow are the brightest tissue of a real T1c head (about 2-3 x brain; measured on the
        pyradiomics TCGA-GBM scans, where 12-20 % of the head is brighter than the tumour's 90th percentile),
        but only about 1.6 x white matter in Colin27. Tissue outside the brain is scaled up by a random
        1.3-1.9 (fully above 0.9 x white matter, fading out below 0.4 x), so that after percentile
        normalisation the brain sits near 0.2-0.37 (pyradiomics: 0.30) and the tumour is not the brightest
        thing in the head."""
        gain = rng.uniform(0.3, 0.9)
        ramp = smoothstep((self.t1 - 0.4 * WHITE_MATTER) / (0.5 * WHITE_MATTER))
        self.t1 *= 1 + gain * ramp * (1 - self.brain)

    def add_vessels(self, rng):
        """Enhancing vessels (T1c shows them; they are not tumour): 10–30 smooth random curves inside the
        brain, 0.6–1.5 mm in radius, 1.2–1.8 × white matter, blended into the head image."""
        curves = np.zeros(self.t1.shape, np.float32)
        inside = np.argwhere(self.brain > 0.5)
        for _ in range(int(rng.integers(10, 31))):
            p = inside[rng.integers(len(inside))].astype(np.float64)
            direction = rng.normal(size=3)
            for _step in range(int(rng.integers(20, 61))):
                direction += rng.normal(scale=0.3, size=3)
                direction /= np.linalg.norm(direction)
                p += direction
                i, j, k = np.round(p).astype(int)
                if not (0 <= i < curves.shape[0] and 0 <= j < curves.shape[1] and 0 <= k < curves.shape[2]):
                    break
                curves[i, j, k] = 1.0
        radius = rng.uniform(0.6, 1.5)
        tube = ndimage.gaussian_filter(curves, radius)
        tube = np.clip(tube * 2 * np.pi * radius ** 2 * 1.5, 0, 1)  # a straight curve's peak -> 1.5
        level = WHITE_MATTER * rng.uniform(1.2, 1.8)
        self.t1 += (level - self.t1) * tube * (self.brain > 0.5)

    def sample(self, volume, points):
        return ndimage.map_coordinates(volume, (points - self.lo).T, order=1, mode="constant", cval=0.0)


class Lesion:
    """An irregular lesion: a main ellipsoid and 0–2 overlapping lobes, each with a smooth random radial
    perturbation; the normalised radius d is the smallest over the components (d <= 1 inside)."""

    def __init__(self, rng, centre, radius):
        self.centre = np.asarray(centre, dtype=np.float64)
        self.components = []  # (offset mm, rotation, semi-axes mm)
        shape = rng.uniform(0.7, 1.3, 3)
        self.components.append((np.zeros(3), rotation(rng, 180.0), radius * shape / np.cbrt(shape.prod())))
        for _ in range(int(rng.choice([0, 1, 2], p=[0.4, 0.35, 0.25]))):
            direction = rng.normal(size=3)
            direction /= np.linalg.norm(direction)
            lobe = radius * rng.uniform(0.35, 0.7)
            shape = rng.uniform(0.75, 1.25, 3)
            self.components.append((direction * radius * rng.uniform(0.6, 0.9), rotation(rng, 180.0),
                                    lobe * shape / np.cbrt(shape.prod())))
        self.waves = rng.normal(scale=1.5, size=(6, 3))
        self.phases = rng.uniform(0, 2 * np.pi, 6)
        self.amplitudes = rng.uniform(0.06, 0.18, 6)
        self.core = radius >= 8 and rng.uniform() < 0.7
        self.core_fraction = rng.uniform(0.45, 0.75)
        self.enhancement = rng.uniform(1.15, 1.65)
        self.necrosis = rng.uniform(0.6, 1.6)
        self.oedema_extent = rng.uniform(1.3, 2.0)
        self.oedema_level = rng.uniform(0.8, 1.0)
        self.mass_effect = rng.uniform(0.0, 0.5) * min(1.0, radius / 15.0)
        self.texture = rng.normal(scale=0.6, size=(4, 3))
        self.texture_phase = rng.uniform(0, 2 * np.pi, 4)
        self.texture_amplitude = rng.uniform(0.05, 0.25)

    @property
    def radius(self):
        """Equivalent radius of the main component (mm)."""
        return float(np.cbrt(self.components[0][2].prod()))

    def scaled(self, rng, volume_factor):
        out = Lesion.__new__(Lesion)
        out.__dict__.update(self.__dict__)
        f = np.cbrt(volume_factor)
        out.components = [(o * f, r, semi * f) for o, r, semi in self.components]
        out.centre = self.centre + rng.normal(scale=0.5, size=3)
        out.mass_effect = self.mass_effect * min(1.5, f)
        out.core = self.core and out.radius >= 5
        return out

    def reach(self):
        extent = max(np.linalg.norm(o) + semi.max() for o, _, semi in self.components)
        return extent * 1.4 * self.oedema_extent + 2.0

    def normalised_radius(self, points):
        d = np.full(len(points), np.inf)
        for offset, rot, semi in self.components:
            u = ((points - self.centre - offset) @ rot) / semi
            rho = np.linalg.norm(u, axis=1)
            n = u / np.maximum(rho, 1e-9)[:, None]
            bump = np.sin(n @ self.waves.T + self.phases) @ self.amplitudes
            d = np.minimum(d, rho / np.exp(bump))
        return d

    def texture_at(self, points):
        return np.sin(points @ self.texture.T + self.texture_phase).mean(1)

    def influence(self):
        """Distance (mm) from the centre beyond which the lesion changes nothing."""
        return max(self.reach(), 4 * self.radius)

    def push(self, points):
        """Mass effect: the tissue now at `points` came from closer to the centre (fading out between 3 and 4
        radii)."""
        if self.mass_effect <= 0:
            return points
        v = points - self.centre
        r = np.maximum(np.linalg.norm(v, axis=1), 1e-9)
        rm = self.radius
        taper = 1 - smoothstep((r - 3 * rm) / rm)
        g = np.where(r <= rm, r * (1 - self.mass_effect),
                     r - self.mass_effect * rm * np.exp(-(r - rm) / rm) * taper)
        return self.centre + v * (g / r)[:, None]


def smoothstep(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def render_points(points, subject, lesions):
    """Intensity (Colin27 units) and tumour indicator at subject points [M,3]."""
    source = points
    for lesion in lesions:
        near = np.linalg.norm(points - lesion.centre, axis=1) < lesion.influence()
        if near.any():
            source = source.copy() if source is points else source
            source[near] = lesion.push(source[near])
    value = subject.sample(subject.t1, source)
    brain = subject.sample(subject.brain, source)
    tumour = np.zeros(len(points), dtype=np.float32)
    for lesion in lesions:
        near = np.flatnonzero(np.linalg.norm(points - lesion.centre, axis=1) < lesion.reach())
        if near.size == 0:
            continue
        p = points[near]
        d = lesion.normalised_radius(p)
        oedema = (1 - (1 - lesion.oedema_level) * (1 - smoothstep((d - 1) / (lesion.oedema_extent - 1))))
        v = value[near] * np.where(brain[near] > 0.5, oedema, 1.0)
        texture = lesion.texture_at(p)
        lesion_value = WHITE_MATTER * lesion.enhancement * (1 + lesion.texture_amplitude * texture)
        if lesion.core:
            core_value = CSF * lesion.necrosis * (1 + 0.15 * texture)
            blend = smoothstep((d - lesion.core_fraction) / 0.12 + 0.5)
            lesion_value = core_value + (lesion_value - core_value) * blend
        edge = np.clip(0.5 + (1 - d) * lesion.radius, 0, 1)  # ~1 mm wide boundary
        value[near] = v + (lesion_value - v) * edge
        tumour[near] = np.maximum(tumour[near], (d <= 1).astype(np.float32))
    return value, tumour


def native_grid(rng, anatomy, like=None):
    if like is not None and rng.uniform() < 0.5:
        return like
    inplane = rng.uniform(0.85, 1.3)
    thickness = float(np.exp(rng.uniform(0, np.log(7.0))))
    spacing = np.array([inplane, inplane, thickness])
    size = np.ceil((anatomy.box_hi - anatomy.box_lo) / spacing).astype(int)
    origin = anatomy.centre - 0.5 * (size - 1) * spacing
    return spacing, size, origin


def render_timepoint(subject, lesions):
    """Intensity and tumour indicator on the subject's 1 mm grid; only the boxes the lesions influence are
    computed point by point."""
    value = subject.t1.copy()
    tumour = np.zeros(subject.t1.shape, np.float32)
    shape = np.array(subject.t1.shape)
    for lesion in lesions:
        r = lesion.influence()
        lo = np.clip(np.floor(lesion.centre - r - subject.lo).astype(int), 0, shape)
        hi = np.clip(np.ceil(lesion.centre + r - subject.lo).astype(int) + 1, 0, shape)
        if (hi <= lo).any():
            continue
        axes = [subject.lo[a] + np.arange(lo[a], hi[a]) for a in range(3)]
        points = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 3)
        v, t = render_points(points, subject, lesions)
        box = tuple(slice(lo[a], hi[a]) for a in range(3))
        value[box] = v.reshape(hi - lo)
        tumour[box] = t.reshape(hi - lo)
    return value, tumour


def resample_axis(volume, axis, positions):
    """Linear interpolation of `volume` along `axis` at fractional indices; zero outside the volume."""
    n = volume.shape[axis]
    i0 = np.clip(np.floor(positions).astype(int), 0, n - 2)
    w = positions - i0
    inside = (positions >= 0) & (positions <= n - 1)
    shape = [1, 1, 1]
    shape[axis] = len(positions)
    w = w.reshape(shape).astype(np.float32)
    inside = inside.reshape(shape)
    out = np.take(volume, i0, axis) * (1 - w) + np.take(volume, i0 + 1, axis) * w
    return np.where(inside, out, 0.0).astype(np.float32)


def scan(rng, subject, lesions, grid, style):
    spacing, size, origin = grid
    value, tumour = render_timepoint(subject, lesions)
    nsub = max(1, int(round(spacing[2])))
    offsets = ((np.arange(nsub) + 0.5) / nsub - 0.5) * spacing[2]
    sampled = []
    for volume in (value, tumour):
        for axis in range(2):
            volume = resample_axis(volume, axis, origin[axis] + spacing[axis] * np.arange(size[axis]) -
                                   subject.lo[axis])
        z = origin[2] + spacing[2] * np.arange(size[2])[:, None] + offsets[None, :] - subject.lo[2]
        volume = resample_axis(volume, 2, z.ravel()).reshape(size[0], size[1], size[2], nsub).mean(3)
        sampled.append(volume)
    image, mask = sampled[0], (sampled[1] >= 0.5).astype(np.uint8)
    # Bias field (exp of a random quadratic in normalised coordinates), gamma, gain, Rician noise.
    c = [np.linspace(-1, 1, n) for n in size]
    X, Y, Z = np.meshgrid(*c, indexing="ij")
    terms = [X, Y, Z, X * Y, X * Z, Y * Z, X * X, Y * Y, Z * Z]
    log_bias = sum(w * t for w, t in zip(style["bias"], terms))
    log_bias *= 0.3 / max(np.abs(log_bias).max(), 1e-6)
    image = WHITE_MATTER * (np.maximum(image, 0) / WHITE_MATTER) ** style["gamma"]
    image = image * np.exp(log_bias) * style["gain"]
    sigma = style["gain"] * WHITE_MATTER / style["snr"]
    noisy = np.hypot(image + rng.normal(scale=sigma, size=size), rng.normal(scale=sigma, size=size))
    return np.clip(np.round(noisy), 0, 32767).astype(np.int16), mask


def draw_style(rng, like=None):
    if like is None:
        return {"bias": rng.normal(size=9), "gamma": rng.uniform(0.75, 1.3), "gain": float(np.exp(rng.uniform(
            np.log(0.5), np.log(20)))), "snr": rng.uniform(12, 40)}
    return {"bias": rng.normal(size=9), "gamma": like["gamma"] * rng.uniform(0.92, 1.08),
            "gain": like["gain"] * rng.uniform(0.8, 1.25), "snr": rng.uniform(12, 40)}


def place_lesions(rng, anatomy, warp, count):
    lesions = []
    for _ in range(count):
        radius = float(np.exp(rng.uniform(np.log(4.0), np.log(25.0))))
        for _attempt in range(500):
            c = rng.uniform(anatomy.box_lo, anatomy.box_hi)
            depth = anatomy.sample(anatomy.depth, warp(c[None]))[0]
            if depth < max(0.6 * radius, 4.0):
                continue
            if all(np.linalg.norm(c - o.centre) > 1.6 * (radius + o.radius) for o in lesions):
                lesions.append(Lesion(rng, c, radius))
                break
    return lesions


def follow_up_lesions(rng, anatomy, warp, lesions, course):
    if course == "complete_response":
        return []
    ranges = {"partial_response": (0.05, 0.3), "stable": (0.6, 1.4), "progression": (1.8, 4.0),
              "new_lesion": (0.8, 1.3)}
    lo, hi = ranges[course]
    out = [lesion.scaled(rng, float(np.exp(rng.uniform(np.log(lo), np.log(hi))))) for lesion in lesions]
    if course == "new_lesion":
        for new in place_lesions(rng, anatomy, warp, 1):
            new = new.scaled(rng, 0.6 ** 3)  # new lesions are found small
            if all(np.linalg.norm(new.centre - o.centre) > 1.6 * (new.radius + o.radius) for o in out):
                out.append(new)
    return out


def write_nifti(path, array, spacing, origin):
    affine = np.diag([*spacing, 1.0])
    affine[:3, 3] = origin
    img = nib.Nifti1Image(array, affine)
    img.header.set_xyzt_units("mm", "sec")
    img.header.set_qform(affine, code=1)
    img.header.set_sform(affine, code=1)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(gzip.compress(img.to_bytes(), compresslevel=6, mtime=0))
    os.replace(tmp, path)


ANATOMY = None


def make_subject(args):
    out, seed, index, prefix = args
    global ANATOMY
    if ANATOMY is None:
        ANATOMY = Anatomy()
    anatomy = ANATOMY
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, index])))
    sid = f"{prefix}{index:04d}"
    warp = SubjectWarp(rng, anatomy)
    subject = WarpedAnatomy(anatomy, warp)
    subject.brighten_extracranial(rng)
    subject.add_vessels(rng)
    course = COURSES[rng.choice(len(COURSES), p=COURSE_P)]
    count = int(rng.choice([1, 2, 3], p=[0.7, 0.25, 0.05]))
    base = place_lesions(rng, anatomy, warp, count)
    follow = follow_up_lesions(rng, anatomy, warp, base, course)
    grid0 = native_grid(rng, anatomy)
    grid1 = native_grid(rng, anatomy, like=grid0)
    style0 = draw_style(rng)
    style1 = draw_style(rng, like=style0)
    rows, timepoints = [], {}
    for tp, day, lesions, grid, style in (("baseline", 0, base, grid0, style0), ("week8", 60, follow, grid1,
                                                                                 style1)):
        image, mask = scan(rng, subject, lesions, grid, style)
        stem = f"sub-{sid}/ses-{tp}/anat/sub-{sid}_ses-{tp}"
        write_nifti(os.path.join(out, stem + "_ce-gadolinium_T1w.nii.gz"), image, grid[0], grid[2])
        write_nifti(os.path.join(out, stem + "_desc-tumor_mask.nii.gz"), mask, grid[0], grid[2])
        rows.append(f"{sid},{tp},{day},t1c,{stem}_ce-gadolinium_T1w.nii.gz,{stem}_desc-tumor_mask.nii.gz")
        timepoints[tp] = {
            "day": day, "spacing_mm": [round(float(s), 4) for s in grid[0]], "size": [int(s) for s in grid[1]],
            "mask_volume_ml": round(float(mask.sum() * np.prod(grid[0]) / 1000), 4),
            "lesions": [{"centre_mm_ras": [round(float(c), 3) for c in l.centre],
                         "equivalent_radius_mm": round(l.radius, 3), "necrotic_core": bool(l.core)}
                        for l in lesions]}
    truth = {"course": course, "responder": int(course in ("complete_response", "partial_response")),
             "timepoints": timepoints}
    return sid, rows, truth


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--subjects", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--prefix", default="syn")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    jobs = [(args.out, args.seed, i, args.prefix) for i in range(args.subjects)]
    rows, truth = [], {}
    with multiprocessing.Pool(args.workers) as pool:
        for n, (sid, subject_rows, subject_truth) in enumerate(pool.imap(make_subject, jobs), 1):
            rows += subject_rows
            truth[sid] = subject_truth
            print(f"\r{n}/{args.subjects} subjects", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    meta = {"generator": "scripts/train/make_data.py", "seed": args.seed, "subjects": args.subjects,
            "anatomy": "Colin27 (mricron-data ch2.nii.gz, ch2bet.nii.gz)", "subjects_truth": truth}
    with open(os.path.join(args.out, "truth.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    with open(os.path.join(args.out, "manifest.csv"), "w") as f:
        f.write("subject,timepoint,day,sequence,path,mask\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
