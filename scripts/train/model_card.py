"""The model card written beside a trained model (train.py): what the model is, how it was made (data,
configuration, commit, wall time), what it scored on held-out synthetic pairs, and where it must not be used.
Figures on real scans are measured by `oncotrack evaluate` and added to the card by hand with their source; a
rerun (reproduce.sh) keeps those hand-written sections, in place, and rewrites only the template's own."""
import json
import os
import re


def write_model_card(path, config, training, metrics):
    m = training["metrics"]
    data = config["data"]
    hp = json.dumps(config["hparams"], sort_keys=True)
    pre = json.dumps(config["preprocessing"], sort_keys=True)
    train = json.dumps(config["train"], sort_keys=True)
    rows = "\n".join(f"| {r['subject']} | {r['dice_baseline']:.3f} | {r['dice_follow_up']:.3f} | "
                     f"{r['response_probability']:.3f} | {r['responder']} |" for r in metrics["per_case"])
    brain, brain_use = "", ""
    if "brain_mask" in config:
        b = config["brain_mask"]
        brain = (f"""
- Brain mask at inference (`scripts/train/brain_atlas.py`, after training; pipeline/brain_mask.h): the Colin27
  head averaged over {b['atlas_block_voxels']}-voxel blocks and its brain's signed distance map are stored in the
  file; `oncotrack` registers the head to each scan (affine) and zeroes the tumour probability more than
  {b['dilation_mm']} mm outside the brain, unless the head outlines disagree (Dice < 0.8). Training and the
  held-out figures below (PyTorch, train.py) do not use it; `oncotrack segment` does.""")
        brain_use = """ The
  brain mask assumes a head that the scan covers from at least the skull base to the upper brain; each
  timepoint's `…_desc-brain_mask.nii.gz` and the report's `segmentation.brain_mask` show what it did."""
    text = f"""# Model card: {config['name']}

The default model of oncotrack (`oncotrack run` uses it unless `--model FILE` is given): a `multitask_unet3d`
(Jin et al., Nat Commun 12:1851, 2021) that segments the enhancing brain tumour (enhancing rim and necrotic
core, not oedema) on T1-weighted post-contrast MRI at every timepoint and predicts, from a baseline/follow-up
pair, whether the follow-up shows a response (complete or partial volumetric response: volume −70 % or more).

## How it was made
- Training data: {data['train']['subjects']} synthetic subjects (seed {data['train']['seed']}) from
  `scripts/train/make_data.py` — real anatomy (the Colin27 T1 head of Debian's mricron-data) varied per subject
  by random affine and smooth deformations, vessels, bias fields, noise, gamma, in-plane spacing 0.85–1.3 mm and
  slices 1–7 mm thick; 1–3 irregular lesions with enhancing rim, necrotic core, oedema and mass effect; follow-ups
  with complete or partial response, stable disease, progression or a new lesion. Validation:
  {data['validation']['subjects']} further subjects (seed {data['validation']['seed']}), never trained on.
- Preprocessing (as `oncotrack` applies it before the network): `{pre}`{brain}
- Architecture hyper-parameters: `{hp}`
- Training: `{train}` — {config['train']['segmentation_steps']} segmentation then {config['train']['response_steps']} response steps,
  {training['train_seconds'] / 60:.0f} min on
  {training['threads']} CPU threads (PyTorch {training['torch']}), commit {training['commit']}.
- Reproduce: `bash scripts/train/reproduce.sh` (data generation, `oncotrack model prepare`, training, export,
  brain atlas).

## Held-out synthetic pairs (computed by train.py on the model's grid, sliding windows as in oncotrack)
| metric | value |
|---|---|
| Dice, median over timepoints with tumour | {m['dice_median']:.3f} |
| Dice, mean | {m['dice_mean']:.3f} |
| response AUC | {m['response_auc']:.3f} |
| response accuracy at threshold {config['preprocessing']['response']['threshold']} | {m['response_accuracy']:.3f} |
| pairs | {m['cases']} |

## Intended use and limits
- Research use on adult brain T1 post-contrast scans with enhancing tumours; axial or 3-D acquisitions.{brain_use}
- Trained only on synthetic lesions in one real anatomy (Colin27): its figures on real patients are what
  `oncotrack evaluate` measures, not these. Check them before trusting it on a new cohort; pass reference masks
  in the manifest to have Dice, HD95 and volume error in every report.
- Not for other organs, sequences (T2, FLAIR, non-contrast T1), non-enhancing tumours, children or animals
  (e.g. mouse MRI: different anatomy and scale); the response head predicts an imaging response of the given
  pair, not pathology or survival.

## Per held-out pair
| subject | Dice baseline | Dice follow-up | response probability | responder |
|---|---|---|---|---|
{rows}
"""
    text = with_hand_sections(text, path)
    with open(path, "w") as f:
        f.write(text)


def sections(text):
    """[(heading, text)] split before each "## " line; the part before the first has heading None."""
    parts = re.split(r"(?m)^(?=## )", text)
    return [(part.splitlines()[0] if part.startswith("## ") else None, part) for part in parts]


def with_hand_sections(text, path):
    """The new card, with every section of the existing card at `path` that the template does not write (real
    scans, costs, attempts not adopted) put back after the template section it followed."""
    if not os.path.exists(path):
        return text
    new = sections(text)
    ours = {heading for heading, _ in new}
    after = {}  # template heading -> the hand sections that followed it in the old card
    anchor = None
    for heading, part in sections(open(path).read()):
        if heading in ours:
            anchor = heading
        else:
            after.setdefault(anchor, []).append(part if part.endswith("\n\n") else part.rstrip("\n") + "\n\n")
    out = []
    for heading, part in new:
        out.append(part)
        out.extend(after.get(heading, []))
    return "".join(out)
