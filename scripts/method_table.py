# The table for choosing a map method (docs/methods.md): every map method on an ILSVRC set, for the
# shared models, against top-5 localisation error (mass box), MaxBoxAccV2, the pointing game,
# deletion and insertion AUC, the sanity check's verdict and seconds per image, with 95% intervals.
#   bash scripts/method_table.sh [--paired-only] [tune|dev] [IMAGES] [MODEL...] [-- METHOD...]
# IMAGES: the first IMAGES images of the set (default all). MODEL: mobilenet_v2, tiny_darknet.
# After each model's rows, every method against guided maps image by image (`eval --against`: the
# difference in top-5 localisation error, its 95% interval, McNemar's exact p). --paired-only prints
# that comparison alone from the run folders already made, computing nothing. PIPELINE_TABLE_BIN: the
# Pipeline binary to use, as it is (default: out/bin/Pipeline, built first).
# Every method runs with the same crops (PIPELINE_TABLE_CROPS, default 10) so seconds compare.
import csv, json, math, os, re, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(__file__))
from intervals import percent_with_interval  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SHARED = os.path.abspath(os.environ.get("PIPELINE_SHARED", os.path.join(ROOT, "..", "shared")))
BIN = os.environ.get("PIPELINE_TABLE_BIN", os.path.join(ROOT, "out", "bin", "Pipeline"))
CROPS = os.environ.get("PIPELINE_TABLE_CROPS", "10")
SANITY_IMAGES = os.environ.get("PIPELINE_TABLE_SANITY_IMAGES", "4")
MEASURE_STEPS = os.environ.get("PIPELINE_TABLE_MEASURE_STEPS", "224")

# name: (backward rule of the model, run options)
METHODS = {
    "gradient": ("gradient", ["--map", "saliency"]),
    "deconvnet": ("deconvnet", ["--map", "saliency"]),
    "guided": ("guided", ["--map", "saliency"]),
    "smoothgrad": ("gradient", ["--map", "saliency", "--smoothgrad", "10", "--noise", "0.15"]),
    "integrated-gradients": ("gradient", ["--map", "integrated-gradients"]),
    "input-x-gradient": ("gradient", ["--map", "input-x-gradient"]),
    "grad-cam": ("gradient", ["--map", "cam"]),
    "grad-cam++": ("gradient", ["--map", "cam-plus-plus"]),
    "occlusion": ("gradient", ["--map", "occlusion"]),
    "rise": ("gradient", ["--map", "rise"]),
}
SOURCES = {"mobilenet_v2": "mobilenet_v2_1.0_224", "tiny_darknet": "tiny_darknet"}
# Grad-CAM's layer where the last spatial one is the classifier (models/onnx/tiny_darknet.md): there
# Grad-CAM++ would equal Grad-CAM.
CAM_LAYERS = {"tiny_darknet": "leaky_re_lu_15"}
CAM_METHODS = {"grad-cam", "grad-cam++"}


def sh(*args, quiet=True):
    result = subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(args)}\n{result.stderr.strip()}")
    return result.stdout


def mean_interval(values):
    """'0.123 (0.11-0.14)': the mean and its 95% normal interval."""
    if not values:
        return "-"
    m = statistics.fmean(values)
    half = 1.96 * statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("nan")
    return f"{m:.3f} ({m - half:.3f}-{m + half:.3f})"


def main():
    args = sys.argv[1:]
    paired_only = "--paired-only" in args
    args = [a for a in args if a != "--paired-only"]
    names = list(METHODS)
    if "--" in args:
        i = args.index("--")
        names, args = args[i + 1:], args[:i]
    subset = args[0] if args else "tune"
    count = int(args[1]) if len(args) > 1 else None
    models = args[2:] or ["mobilenet_v2", "tiny_darknet"]
    data = os.path.join(SHARED, "data", f"ilsvrc-{subset}")
    images = sorted(f for f in os.listdir(os.path.join(data, "images")))[:count]
    work = os.path.join(ROOT, "out", "table")
    os.makedirs(work, exist_ok=True)
    listing = os.path.join(work, f"{subset}-{len(images)}.txt")
    with open(listing, "w") as f:
        f.writelines(os.path.join(data, "images", i) + "\n" for i in images)
    # The truth of these images only: eval counts every image of its truth file.
    ids = {os.path.splitext(i)[0] for i in images}
    truth = os.path.join(work, f"{subset}-{len(images)}-truth.csv")
    with open(os.path.join(data, "LOC_val_solution.csv")) as full, open(truth, "w") as f:
        for k, line in enumerate(full):
            if k == 0 or line.split(",", 1)[0] in ids:
                f.write(line)
    if paired_only:
        for model in models:
            paired(model, names, f"{subset}-{len(images)}", truth)
        return
    sh("bash", "scripts/fetch_models.sh", "models/cache")
    if "PIPELINE_TABLE_BIN" not in os.environ:  # a binary given is used as it is (a table already running keeps out/bin)
        sh("dotnet", "build", "src/Pipeline", "-c", "Release", "--verbosity", "quiet", "-nologo", "-o", "out/bin")
    print(f"{len(images)} {subset} images, {CROPS} crops, top 5, mass box; deletion/insertion in {MEASURE_STEPS} steps; sanity (cascade) on the first {SANITY_IMAGES}\n")
    print("| model | method | top-5 loc err | MaxBoxAccV2 | pointing game | deletion AUC (lower better) | insertion AUC | sanity: rank corr. at full cascade | s / image |")
    print("|---|---|---|---|---|---|---|---|---|")
    for model in models:
        for name in names:
            rule, options = METHODS[name]
            layer = CAM_LAYERS.get(model) if name in CAM_METHODS else None
            grad = os.path.join(work, f"{model}_{rule}{f'_cam_{layer}' if layer else ''}_grad.onnx")
            if not os.path.exists(grad):
                sh(BIN, "export-grad", "--model", f"models/cache/{SOURCES[model]}.onnx", "--card", f"models/onnx/{model}.card.json",
                   "--rule", rule, "--cam", *(["--cam-layer", layer] if layer else []), "--out", grad)
            folder = os.path.join(work, f"{subset}-{len(images)}-{model}-{name}")
            sh(BIN, "run", "--model", grad, "--images", listing, "--out", folder, "--truth", truth, "--save-npy", "--crops", CROPS,
               "--quiet", "--device", "cpu", *options)
            sh(BIN, "eval", "--pred", f"{folder}/loc.csv", "--truth", truth, "--json", f"{folder}/scores.json")
            sh(BIN, "eval", "--protocol", "maxboxacc", "--maps", f"{folder}/npy/gt", "--truth", truth, "--json", f"{folder}/maxboxacc.json")
            sh(BIN, "measure", "--run", folder, "--images", listing, "--truth", truth, "--steps", MEASURE_STEPS, "--device", "cpu")
            verdict = sh(BIN, "sanity", "--model", grad, "--images", listing, "--limit", SANITY_IMAGES, "--out", f"{folder}-sanity",
                         "--mode", "cascade", "--device", "cpu", *sanity_options(options))
            print(row(model, name, folder, verdict), flush=True)
        paired(model, names, f"{subset}-{len(images)}", truth)


def paired(model, names, prefix, truth):
    """Each method's top-5 localisation error against guided maps', image by image, where both runs are made."""
    work = os.path.join(ROOT, "out", "table")
    guided = os.path.join(work, f"{prefix}-{model}-guided", "loc.csv")
    done = [n for n in names if n != "guided" and os.path.exists(os.path.join(work, f"{prefix}-{model}-{n}", "loc.csv"))]
    if not os.path.exists(guided) or not done:
        return
    print(f"\n{model}: top-5 localisation error against guided maps on the same images (eval --against)\n")
    print("| method | difference (points) | 95% interval | wrong only with the method | wrong only with guided | McNemar exact p |")
    print("|---|---|---|---|---|---|")
    for name in done:
        report = os.path.join(work, f"{prefix}-{model}-{name}", "paired_guided.json")
        sh(BIN, "eval", "--pred", os.path.join(work, f"{prefix}-{model}-{name}", "loc.csv"), "--against", guided, "--truth", truth, "--json", report)
        c = next(p for p in json.load(open(report))["paired"] if p["error"] == "top-5 localisation error")
        print(f"| {name} | {points(c['difference'])} | {points(c['low'])} to {points(c['high'])} | {c['onlyFirstWrong']} | {c['onlySecondWrong']} | {p_value(c['pValue'])} |", flush=True)


def p_value(p):
    """'0.0123', or '< 0.0001' where four decimals would print zero."""
    return "< 0.0001" if p < 1e-4 else f"{p:.4f}"


def points(fraction):
    """'+1.2': percentage points with their sign, never '-0.0'."""
    return f"{round(100 * fraction, 1) + 0.0:+.1f}"


def sanity_options(options):
    """The map option sanity takes: the method with its default settings (SmoothGrad is checked as its plain map)."""
    return options[:2]


def row(model, name, folder, sanity_output):
    scores = json.load(open(f"{folder}/scores.json"))
    n = scores["images"]
    v2 = json.load(open(f"{folder}/maxboxacc.json"))["maxBoxAccV2"]
    timings = json.load(open(f"{folder}/run.json"))["timings"]
    measures = json.load(open(f"{folder}/measures.json"))
    with open(f"{folder}/measures.csv") as f:
        rows = list(csv.DictReader(f))
    deletion = [float(r["deletion_auc"]) for r in rows]
    insertion = [float(r["insertion_auc"]) for r in rows]
    pointing = measures.get("pointingGame") or {}
    cells = [
        percent_with_interval(round(scores["top5LocalisationError"] * n), n),
        f"{100 * v2:.1f}%",
        percent_with_interval(pointing["hits"], pointing["images"]) if pointing else "-",
        mean_interval(deletion), mean_interval(insertion),
        verdict(sanity_output),
        f"{timings['saliencySecondsPerImage']:.2f}",
    ]
    return f"| {model} | {name} | " + " | ".join(cells) + " |"


def verdict(sanity_output):
    """'passes (0.12)': the sanity check's verdict and the rank correlation with every layer randomised."""
    line = next((l for l in sanity_output.splitlines() if re.search(r": (passes|WEAK|FAILS|no verdict)", l)), "")
    word = re.search(r": (passes|WEAK|FAILS|no verdict)", line)
    rho = re.search(r", (-?[\d.]+) with all", line)
    return f"{word.group(1).lower() if word else '?'}" + (f" ({rho.group(1)})" if rho else "")


if __name__ == "__main__":
    main()
