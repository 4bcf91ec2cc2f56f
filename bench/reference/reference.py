#!/usr/bin/python3
"""PyTorch / numpy reference side of Pipeline's benchmarks.

Every measurement prints ONE JSON object per line on stdout:

    {"name": ..., "median_ms": ..., "min_ms": ..., "iters": ..., "threads": ...,
     "extra": {...}}

Diagnostics go to stderr only, so stdout can be parsed line by line.

Usage (see README.md beside this file for the full description):

    run_reference.sh --env tuned --threads 2 --config sgemm_1024,encoder_train
    run_reference.sh --env default --config all
    run_reference.sh --serve            # line protocol on stdin/stdout
    run_reference.sh --list | --info

Environment handling: OpenBLAS, libgomp and glibc malloc read their settings from the
process environment when they are loaded, so the environment cannot be changed after
numpy/torch are imported. This script therefore builds the requested environment
(--env tuned|default) and re-executes itself under Debian's /usr/bin/python3 before it
imports numpy or torch. A marker variable stops the re-exec from looping.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM_PYTHON = os.environ.get("PIPELINE_REF_PYTHON", "/usr/bin/python3")
ENV_MARKER = "PIPELINE_REF_ENV"  # value "<mode>:<threads>" once the env is applied

# Variables removed in the tuned environment: they pin OpenBLAS to older kernels.
TUNED_UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# Variables set in the tuned environment (thread counts are added per run).
TUNED_SET = {
    "OMP_WAIT_POLICY": "passive",            # idle OpenMP workers sleep, not spin,
                                             # so they do not steal cores from OpenBLAS
    "MALLOC_MMAP_THRESHOLD_": "1000000000",  # keep big tensors on the heap: no mmap/
    "MALLOC_TRIM_THRESHOLD_": "1000000000",  # munmap + page faults on every step
}


# --------------------------------------------------------------------------------------
# Environment: build it and re-exec before numpy/torch are imported
# --------------------------------------------------------------------------------------

def build_env(mode, threads):
    """Return the environment dictionary for the reference process."""
    env = dict(os.environ)
    if mode == "tuned":
        for name in TUNED_UNSET:
            env.pop(name, None)
        env.update(TUNED_SET)
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(threads)
    # mode == "default": the machine's environment exactly as inherited. Only
    # torch.set_num_threads(threads) is applied (in-process), so both figures use the
    # same intra-op thread count; OpenBLAS's own pool keeps its default size.
    env[ENV_MARKER] = "%s:%d" % (mode, threads)
    return env


def ensure_env(mode, threads):
    """Re-exec under the system python with the requested environment, if not yet done."""
    wanted = "%s:%d" % (mode, threads)
    python = SYSTEM_PYTHON if os.path.exists(SYSTEM_PYTHON) else sys.executable
    right_python = os.path.realpath(sys.executable) == os.path.realpath(python)
    # The marker alone is not trusted for "tuned": the variables must really be set.
    env_ok = os.environ.get(ENV_MARKER) == wanted and (
        mode == "default" or build_env(mode, threads) == dict(os.environ))
    if env_ok and right_python:
        return
    argv = [python, os.path.abspath(__file__)] + sys.argv[1:]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(python, argv, build_env(mode, threads))


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Everything below runs only after the environment is in place (imports are lazy).
# --------------------------------------------------------------------------------------

np = None
torch = None
nn = None
F = None


def import_libs(threads):
    global np, torch, nn, F
    import numpy
    import torch as _torch
    np = numpy
    torch = _torch
    nn = _torch.nn
    F = _torch.nn.functional
    torch.set_num_threads(threads)


def peak_rss_mb():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def env_info(mode, threads):
    """Which libraries, kernels and thread pools are in use (reported with every run)."""
    info = {
        "env": mode,
        "python": sys.executable,
        "numpy": np.__version__,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "vars": {k: os.environ.get(k) for k in (
            "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_WAIT_POLICY", "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")},
    }
    try:
        import threadpoolctl
        pools = threadpoolctl.threadpool_info()
        info["threadpools"] = [
            {k: p.get(k) for k in ("internal_api", "version", "architecture",
                                   "threading_layer", "num_threads", "filepath")}
            for p in pools]
        blas = [p for p in pools if p.get("internal_api") == "openblas"]
        if blas:
            info["openblas_core"] = blas[0].get("architecture")
            info["openblas_threads"] = blas[0].get("num_threads")
    except ImportError:
        # Fallback: the build configurations (no runtime kernel name available).
        info["threadpools"] = None
        info["openblas_core"] = os.environ.get("OPENBLAS_CORETYPE", "unknown (no threadpoolctl)")
        try:
            info["torch_config"] = torch.__config__.show()
        except Exception:  # pragma: no cover - diagnostics only
            pass
    return info


# --------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------

# Captioning sizes (shared by encoder, decoder and captioner configurations).
BATCH = 32
IMG = 128
ENC_CHANNELS = [(3, 32, 2), (32, 64, 2), (64, 64, 1), (64, 128, 2), (128, 128, 1), (128, 256, 2)]
FEAT_DIM = 256      # encoder output channels = feature size per region
REGIONS = 64        # 8 x 8 spatial positions
VOCAB = 5000
EMBED = 256
HIDDEN = 512
ATT_DIM = 256
STEPS = 20
START_TOKEN = 1
DROPOUT = 0.5
ALPHA_REG = 1.0     # lambda of the doubly stochastic attention regulariser
BEAM = 3

# Text classification sizes.
TEXT_VOCAB = 20000
TEXT_EMBED = 128
TEXT_LEN = 64
TEXT_BATCH_TRAIN = 64
TEXT_BATCH_INFER = 256
TEXT_CLASSES = 2
CNN_WIDTHS = (3, 4, 5)
CNN_MAPS = 100
LSTM_HIDDEN = 128
BILSTM_ATT_DIM = 256


def make_model_classes():
    """Define the nn.Module classes (torch is imported lazily, hence a factory)."""

    class Encoder(nn.Module):
        """Six conv3x3 (padding 1, no bias) + BatchNorm2d + ReLU blocks.

        [B,3,128,128] -> [B,256,8,8].
        """

        def __init__(self):
            super().__init__()
            layers = []
            for cin, cout, stride in ENC_CHANNELS:
                layers += [nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
                           nn.BatchNorm2d(cout),
                           nn.ReLU(inplace=True)]
            self.body = nn.Sequential(*layers)

        def forward(self, x):
            return self.body(x)

    class Decoder(nn.Module):
        """Show, Attend and Tell decoder: additive attention + gated context + LSTMCell.

        * h0 = init_h(mean_r feats), c0 = init_c(mean_r feats): plain Linear(256->512),
          no tanh.
        * Attention: e = v . tanh(W_f f_r + W_h h_{t-1}) (W_f, W_h with bias, v without),
          alpha = softmax over the 64 regions, context = sum_r alpha_r f_r.
          W_f f is computed once per sequence.
        * Gate: beta = sigmoid(f_beta(h_{t-1})) (Linear 512->256, bias), multiplies context.
        * LSTMCell input = concat(embedding(token_t), beta * context): 256 + 256 = 512.
        """

        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCAB, EMBED)
            self.init_h = nn.Linear(FEAT_DIM, HIDDEN)
            self.init_c = nn.Linear(FEAT_DIM, HIDDEN)
            self.att_feat = nn.Linear(FEAT_DIM, ATT_DIM)
            self.att_hidden = nn.Linear(HIDDEN, ATT_DIM)
            self.att_v = nn.Linear(ATT_DIM, 1, bias=False)
            self.f_beta = nn.Linear(HIDDEN, FEAT_DIM)
            self.cell = nn.LSTMCell(EMBED + FEAT_DIM, HIDDEN)
            self.dropout = nn.Dropout(DROPOUT)
            self.fc = nn.Linear(HIDDEN, VOCAB)

        def init_state(self, feats):
            mean = feats.mean(dim=1)
            return self.init_h(mean), self.init_c(mean)

        def attend_step(self, feats, att_f, emb_t, h, c):
            """One decoding step: attention, gate, LSTMCell. Returns (h, c, alpha)."""
            e = self.att_v(torch.tanh(att_f + self.att_hidden(h).unsqueeze(1))).squeeze(2)
            alpha = torch.softmax(e, dim=1)                          # [B, R]
            context = torch.bmm(alpha.unsqueeze(1), feats).squeeze(1)  # [B, D]
            gate = torch.sigmoid(self.f_beta(h))
            x = torch.cat([emb_t, gate * context], dim=1)
            h, c = self.cell(x, (h, c))
            return h, c, alpha

        def forward(self, feats, tokens):
            """Teacher forcing. feats [B,R,D], tokens [B,T] (inputs). Returns
            (logits [B*T, V] in batch-major order, alphas [B,T,R])."""
            b, t_len = tokens.shape
            att_f = self.att_feat(feats)          # precomputed once: [B, R, ATT]
            emb = self.embedding(tokens)          # [B, T, E]
            h, c = self.init_state(feats)
            hs, alphas = [], []
            for t in range(t_len):
                h, c, alpha = self.attend_step(feats, att_f, emb[:, t], h, c)
                hs.append(h)
                alphas.append(alpha)
            hidden = torch.stack(hs, dim=1)       # [B, T, H]
            # Output projection applied ONCE to all stacked hidden states.
            logits = self.fc(self.dropout(hidden).reshape(b * t_len, HIDDEN))
            return logits, torch.stack(alphas, dim=1)

        @torch.no_grad()
        def greedy(self, feats, steps):
            b = feats.shape[0]
            att_f = self.att_feat(feats)
            h, c = self.init_state(feats)
            token = torch.full((b,), START_TOKEN, dtype=torch.long)
            out = []
            for _ in range(steps):
                h, c, _ = self.attend_step(feats, att_f, self.embedding(token), h, c)
                token = self.fc(h).argmax(dim=1)
                out.append(token)
            return torch.stack(out, dim=1)

        @torch.no_grad()
        def beam_search(self, feats, steps, k):
            """Batched beam search: all images x K beams run as one [B*K] batch.

            Scores are summed log-softmax probabilities; at step 0 only beam 0 of each
            image is alive (the others start at -inf) so the K first tokens differ. Fixed
            length (no end token), no length normalisation; returns the best sequence
            per image, [B, steps].
            """
            b, r, d = feats.shape
            feats_k = feats.repeat_interleave(k, dim=0)          # [B*K, R, D]
            att_f = self.att_feat(feats_k)
            h, c = self.init_state(feats_k)
            token = torch.full((b * k,), START_TOKEN, dtype=torch.long)
            scores = torch.full((b, k), float("-inf"))
            scores[:, 0] = 0.0
            base = (torch.arange(b) * k).unsqueeze(1)              # [B, 1]
            seqs = torch.empty((b * k, 0), dtype=torch.long)
            for _ in range(steps):
                h, c, _ = self.attend_step(feats_k, att_f, self.embedding(token), h, c)
                logp = torch.log_softmax(self.fc(h), dim=1)        # [B*K, V]
                total = scores.reshape(b * k, 1) + logp
                scores, idx = total.reshape(b, k * VOCAB).topk(k, dim=1)  # [B, K]
                src = (base + torch.div(idx, VOCAB, rounding_mode="floor")).reshape(-1)
                token = (idx % VOCAB).reshape(-1)
                h, c = h[src], c[src]
                seqs = torch.cat([seqs[src], token.unsqueeze(1)], dim=1)
            best = scores.argmax(dim=1) + base.squeeze(1)
            return seqs[best]

    class Captioner(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = Encoder()
            self.decoder = Decoder()

        def features(self, images):
            f = self.encoder(images)                                   # [B,256,8,8]
            return f.permute(0, 2, 3, 1).reshape(f.shape[0], REGIONS, FEAT_DIM)

        def forward(self, images, tokens):
            return self.decoder(self.features(images), tokens)

    class TextCNN(nn.Module):
        """Embedding -> Conv1d widths 3,4,5 x 100 maps (bias, no padding) + ReLU ->
        max over time -> concat 300 -> dropout 0.5 -> Linear(300->2)."""

        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(TEXT_VOCAB, TEXT_EMBED)
            self.convs = nn.ModuleList(nn.Conv1d(TEXT_EMBED, CNN_MAPS, w) for w in CNN_WIDTHS)
            self.dropout = nn.Dropout(DROPOUT)
            self.fc = nn.Linear(CNN_MAPS * len(CNN_WIDTHS), TEXT_CLASSES)

        def forward(self, tokens):
            x = self.embedding(tokens).transpose(1, 2)     # [B, E, T]
            pooled = [F.relu(conv(x)).amax(dim=2) for conv in self.convs]
            return self.fc(self.dropout(torch.cat(pooled, dim=1)))

    class BiLSTMAttention(nn.Module):
        """Embedding -> BiLSTM(128 per direction, batch_first) -> attention pooling
        (score_t = v . tanh(W x_t + b), W: 256->256 with bias, v: 256->1 no bias,
        softmax over T, weighted sum) -> dropout 0.5 -> Linear(256->2)."""

        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(TEXT_VOCAB, TEXT_EMBED)
            self.lstm = nn.LSTM(TEXT_EMBED, LSTM_HIDDEN, batch_first=True, bidirectional=True)
            self.att_w = nn.Linear(2 * LSTM_HIDDEN, BILSTM_ATT_DIM)
            self.att_v = nn.Linear(BILSTM_ATT_DIM, 1, bias=False)
            self.dropout = nn.Dropout(DROPOUT)
            self.fc = nn.Linear(2 * LSTM_HIDDEN, TEXT_CLASSES)

        def forward(self, tokens):
            out, _ = self.lstm(self.embedding(tokens))               # [B, T, 256]
            scores = self.att_v(torch.tanh(self.att_w(out))).squeeze(2)  # [B, T]
            weights = torch.softmax(scores, dim=1)
            pooled = torch.bmm(weights.unsqueeze(1), out).squeeze(1)  # [B, 256]
            return self.fc(self.dropout(pooled))

    return Encoder, Decoder, Captioner, TextCNN, BiLSTMAttention


MODELS = None


def models():
    global MODELS
    if MODELS is None:
        MODELS = make_model_classes()
    return MODELS


# --------------------------------------------------------------------------------------
# Benchmarks: each setup builds the data/model once and returns (step, extra_fn)
#   step()            one full timed unit of work
#   extra_fn(med_s)   configuration-specific figures (GFLOPS, images/s, ...)
# --------------------------------------------------------------------------------------

def seed_all(seed=0):
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def setup_sgemm(n, lib):
    rng = seed_all()
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    if lib == "numpy":
        def step():
            return a @ b
    else:
        ta, tb = torch.from_numpy(a.copy()), torch.from_numpy(b.copy())

        def step():
            return torch.mm(ta, tb)
    flops = 2.0 * n ** 3

    def extra(med_s, min_s):
        return {"gflops": flops / med_s / 1e9, "gflops_best": flops / min_s / 1e9,
                "m": n, "n": n, "k": n, "lib": lib}
    return step, extra


def train_step_fn(model, loss_fn):
    """A full train step: zero_grad, forward, loss, backward, Adam step."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn()
        loss.backward()
        opt.step()
        return loss
    return step


def caption_loss(logits, alphas, targets):
    """Cross-entropy over all B*T tokens + lambda * mean_b sum_r (1 - sum_t alpha)^2."""
    ce = F.cross_entropy(logits, targets.reshape(-1))
    reg = ((1.0 - alphas.sum(dim=1)) ** 2).sum(dim=1).mean()
    return ce + ALPHA_REG * reg


def random_captions(batch):
    """Token ids [B, T+1]: inputs = [:, :T], targets = [:, 1:]."""
    caps = torch.randint(2, VOCAB, (batch, STEPS + 1))
    caps[:, 0] = START_TOKEN
    return caps[:, :STEPS].contiguous(), caps[:, 1:].contiguous()


def setup_encoder(train):
    Encoder = models()[0]
    seed_all()
    model = Encoder()
    images = torch.randn(BATCH, 3, IMG, IMG)
    if train:
        step = train_step_fn(model, lambda: model(images).mean())
        return step, lambda m, n: {"batch": BATCH}
    model.eval()

    def step():
        with torch.no_grad():
            return model(images)
    return step, lambda m, n: {"batch": BATCH, "images_per_s": BATCH / m}


def setup_decoder_train():
    Decoder = models()[1]
    seed_all()
    model = Decoder()
    feats = torch.randn(BATCH, REGIONS, FEAT_DIM)
    inputs, targets = random_captions(BATCH)

    def loss_fn():
        logits, alphas = model(feats, inputs)
        return caption_loss(logits, alphas, targets)
    return train_step_fn(model, loss_fn), lambda m, n: {"batch": BATCH, "steps": STEPS}


def setup_captioner(kind):
    Captioner = models()[2]
    seed_all()
    model = Captioner()
    images = torch.randn(BATCH, 3, IMG, IMG)
    if kind == "train":
        inputs, targets = random_captions(BATCH)

        def loss_fn():
            logits, alphas = model(images, inputs)
            return caption_loss(logits, alphas, targets)
        return train_step_fn(model, loss_fn), lambda m, n: {"batch": BATCH, "steps": STEPS}
    model.eval()

    def step():
        with torch.no_grad():
            feats = model.features(images)
            if kind == "greedy":
                return model.decoder.greedy(feats, STEPS)
            return model.decoder.beam_search(feats, STEPS, BEAM)
    extra = {"batch": BATCH, "tokens": STEPS}
    if kind == "beam3":
        extra["beam"] = BEAM
    return step, lambda m, n: dict(extra, images_per_s=BATCH / m)


def setup_text(kind, train):
    TextCNN, BiLSTMAttention = models()[3], models()[4]
    cls = TextCNN if kind == "textcnn" else BiLSTMAttention
    seed_all()
    model = cls()
    if train:
        tokens = torch.randint(0, TEXT_VOCAB, (TEXT_BATCH_TRAIN, TEXT_LEN))
        labels = torch.randint(0, TEXT_CLASSES, (TEXT_BATCH_TRAIN,))
        step = train_step_fn(model, lambda: F.cross_entropy(model(tokens), labels))
        return step, lambda m, n: {"batch": TEXT_BATCH_TRAIN, "length": TEXT_LEN}
    model.eval()
    tokens = torch.randint(0, TEXT_VOCAB, (TEXT_BATCH_INFER, TEXT_LEN))

    def step():
        with torch.no_grad():
            return model(tokens)
    return step, lambda m, n: {"batch": TEXT_BATCH_INFER, "length": TEXT_LEN,
                               "docs_per_s": TEXT_BATCH_INFER / m}


SGEMM_SIZES = (256, 512, 1024, 2048)
SGEMM_ITERS = {256: 50, 512: 20, 1024: 10, 2048: 5}

# Leaf configurations: name -> (setup function, default iterations).
CONFIGS = {}
for _n in SGEMM_SIZES:
    for _lib in ("numpy", "torch"):
        CONFIGS["sgemm_%d_%s" % (_n, _lib)] = (
            (lambda n=_n, lib=_lib: setup_sgemm(n, lib)), SGEMM_ITERS[_n])
CONFIGS.update({
    "encoder_train": (lambda: setup_encoder(True), 10),
    "encoder_eval": (lambda: setup_encoder(False), 10),
    "decoder_train": (setup_decoder_train, 10),
    "captioner_train": (lambda: setup_captioner("train"), 10),
    "captioner_greedy": (lambda: setup_captioner("greedy"), 10),
    "captioner_beam3": (lambda: setup_captioner("beam3"), 5),
    "textcnn_train": (lambda: setup_text("textcnn", True), 20),
    "textcnn_infer": (lambda: setup_text("textcnn", False), 20),
    "bilstm_train": (lambda: setup_text("bilstm", True), 10),
    "bilstm_infer": (lambda: setup_text("bilstm", False), 10),
})
MEMORY_CONFIG = "memory_captioner_train100"
MEMORY_STEPS = 100
LEAVES = list(CONFIGS) + [MEMORY_CONFIG]

# Group names accepted by --config (expand to several leaves).
GROUPS = {"sgemm_%d" % n: ["sgemm_%d_numpy" % n, "sgemm_%d_torch" % n] for n in SGEMM_SIZES}
GROUPS["sgemm"] = [c for n in SGEMM_SIZES for c in GROUPS["sgemm_%d" % n]]
GROUPS["models"] = [c for c in CONFIGS if not c.startswith("sgemm")]
GROUPS["quick"] = GROUPS["sgemm"] + GROUPS["models"]          # everything but memory
GROUPS["all"] = GROUPS["quick"] + [MEMORY_CONFIG]


def expand(names):
    out = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        if name in GROUPS:
            out += GROUPS[name]
        elif name in LEAVES:
            out.append(name)
        else:
            raise KeyError("unknown config %r (try --list)" % name)
    return out


# --------------------------------------------------------------------------------------
# Runner
# --------------------------------------------------------------------------------------

class Runner:
    """Runs leaf configurations; caches each one's setup (model, data, optimiser) so a
    server can measure the same configuration many times in a warm process."""

    def __init__(self, args):
        self.args = args
        self.cache = {}
        self.info = env_info(args.env, args.threads)

    def measure(self, name, iters=None, warmup=None):
        if name == MEMORY_CONFIG:
            return self.measure_memory()
        if name in GROUPS:
            raise KeyError("%r is a group; run one of its leaf configs: %s"
                           % (name, ", ".join(GROUPS[name])))
        if name not in CONFIGS:
            raise KeyError("unknown config %r (send 'list')" % name)
        setup, default_iters = CONFIGS[name]
        iters = iters if iters is not None else (self.args.iters or default_iters)
        warmup = warmup if warmup is not None else self.args.warmup
        if iters < 1:
            raise ValueError("iters must be >= 1")
        if name not in self.cache:
            t0 = time.perf_counter()
            self.cache[name] = setup()
            setup_ms = (time.perf_counter() - t0) * 1e3
        else:
            setup_ms = 0.0
        step, extra_fn = self.cache[name]
        for _ in range(warmup):          # untimed
            step()
        times = []
        for _ in range(iters):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        med, low = statistics.median(times), min(times)
        extra = extra_fn(med, low)
        extra.update({
            "warmup": warmup,
            "mean_ms": statistics.fmean(times) * 1e3,
            "times_ms": [round(t * 1e3, 3) for t in times],
            "setup_ms": round(setup_ms, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "env": self.args.env,
            "openblas_core": self.info.get("openblas_core"),
        })
        return self.record(name, med * 1e3, low * 1e3, iters, extra)

    def measure_memory(self):
        """Peak RSS of a 100-step captioner_train run in a fresh child process (same
        environment: the child inherits the already-applied env and marker)."""
        cmd = [sys.executable, os.path.abspath(__file__), "--env", self.args.env,
               "--threads", str(self.args.threads), "--config", "captioner_train",
               "--iters", str(MEMORY_STEPS), "--warmup", "0"]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                              check=True, text=True)
        wall_s = time.perf_counter() - t0
        child = json.loads(proc.stdout.strip().splitlines()[-1])
        extra = {
            "steps": MEMORY_STEPS,
            "peak_rss_mb": child["extra"]["peak_rss_mb"],
            "child_wall_s": round(wall_s, 2),
            "child_setup_ms": child["extra"]["setup_ms"],
            "env": self.args.env,
            "openblas_core": self.info.get("openblas_core"),
        }
        return self.record(MEMORY_CONFIG, child["median_ms"], child["min_ms"],
                           MEMORY_STEPS, extra)

    def record(self, name, median_ms, min_ms, iters, extra):
        return {"name": name, "median_ms": round(median_ms, 4), "min_ms": round(min_ms, 4),
                "iters": iters, "threads": self.args.threads, "extra": extra}


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def serve(runner):
    """Line protocol on stdin/stdout (one JSON line answers each request line):

        run NAME [ITERS [WARMUP]]   measure leaf config NAME (setup cached across calls)
        info                        environment / thread-pool / kernel description
        list                        leaf config names
        quit                        exit (EOF does the same)

    Errors answer {"error": "..."} and the server keeps going. A first line
    {"ready": true, ...} is printed once the libraries are loaded.
    """
    emit({"ready": True, "env": runner.args.env, "threads": runner.args.threads,
          "pid": os.getpid(), "openblas_core": runner.info.get("openblas_core")})
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        cmd = parts[0].lower()
        try:
            if cmd == "quit" or cmd == "exit":
                break
            elif cmd == "info":
                emit(runner.info)
            elif cmd == "list":
                emit({"configs": LEAVES})
            elif cmd == "run":
                if len(parts) < 2 or len(parts) > 4:
                    raise ValueError("usage: run NAME [ITERS [WARMUP]]")
                iters = int(parts[2]) if len(parts) > 2 else None
                warmup = int(parts[3]) if len(parts) > 3 else None
                emit(runner.measure(parts[1], iters, warmup))
            else:
                raise ValueError("unknown command %r" % cmd)
        except Exception as exc:  # keep serving after a bad request
            emit({"error": "%s: %s" % (type(exc).__name__, exc), "request": line.strip()})


def parse_args(argv):
    p = argparse.ArgumentParser(description="PyTorch/numpy reference benchmarks (JSON lines).")
    p.add_argument("--env", choices=("tuned", "default"), default="tuned",
                   help="tuned: best environment for PyTorch; default: machine's own")
    p.add_argument("--threads", type=int, default=2, help="thread count (default 2)")
    p.add_argument("--config", default="quick",
                   help="comma-separated configs or groups (sgemm, sgemm_N, models, quick, all)")
    p.add_argument("--iters", type=int, default=None, help="timed iterations (default per config)")
    p.add_argument("--warmup", type=int, default=2, help="untimed warm-up iterations (default 2)")
    p.add_argument("--serve", action="store_true", help="serve requests on stdin")
    p.add_argument("--list", action="store_true", help="list configs and groups")
    p.add_argument("--info", action="store_true", help="print environment/kernel info")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.list:
        emit({"configs": LEAVES, "groups": GROUPS})
        return 0
    if args.threads < 1:
        sys.exit("--threads must be >= 1")
    try:
        names = expand(args.config.split(","))
    except KeyError as exc:
        sys.exit(str(exc))
    ensure_env(args.env, args.threads)   # may re-exec; returns only when env is right
    import_libs(args.threads)
    runner = Runner(args)
    if args.info:
        emit(runner.info)
        return 0
    if args.serve:
        serve(runner)
        return 0
    for name in names:
        emit(runner.measure(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
