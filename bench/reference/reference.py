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
import math
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
PAD_TOKEN = 0       # the product's special ids (CaptionerConfig defaults): pad 0, unknown 1,
UNK_TOKEN = 1       # (never emitted when decoding, as the product's DecodeOptions.SuppressUnknown),
START_TOKEN = 2     # start 2, end 3; caption words are drawn from [FIRST_WORD, VOCAB)
END_TOKEN = 3
FIRST_WORD = 4
LENGTH_PENALTY = 1.0  # beam ranking: log P / n^alpha (the product's DecodeOptions default)
# Output bias of the end token on both sides: random weights would end a data-dependent subset of the
# captions early; suppressed, every caption decodes exactly STEPS tokens (as BenchSizes.SuppressedEndBias).
SUPPRESSED_END_BIAS = -1e4
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

# Pretrained ResNet-18 (resnet18_b1 / resnet18_b32): ML.NET's CNTK export, depths 2, 2, 2, 3. Its weights and
# the transformed input batch are written by the C# side (Pipeline.Bench compare) as .npy files into the
# directory named by this environment variable, so both sides run the same network on the same numbers.
RESNET_DIR_VAR = "PIPELINE_RESNET18_DIR"
RESNET_DEPTHS = (2, 2, 2, 3)
RESNET_CHANNELS = (64, 128, 256, 512)
RESNET_SIDE = 224


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

        def regions(self, x):
            """[B,3,128,128] -> region features [B,64,256], as the product's encoder returns them."""
            f = self.body(x)
            return f.permute(0, 2, 3, 1).reshape(f.shape[0], REGIONS, FEAT_DIM)

    class Decoder(nn.Module):
        """Show, Attend and Tell decoder, as the product's Captioning/AttentionDecoder.

        * Embedding(VOCAB, EMBED) with a zero padding row (PAD_TOKEN).
        * h0 = tanh(init_h(mean_r feats)), c0 = tanh(init_c(mean_r feats)): Linear(256->512).
        * Attention: e = v . tanh(W_f f_r + W_h h_{t-1} + b) (one bias, on W_h; v without),
          alpha = softmax over the 64 regions, context = sum_r alpha_r f_r.
          W_f f is computed once per image.
        * Gate: beta = sigmoid(f_beta(h_{t-1})) (Linear 512->256, bias), multiplies context.
        * LSTMCell input = concat(embedding(token_t), beta * context): 256 + 256 = 512.
        * Decoding (greedy, beam search) follows the product's CaptionDecoding: log-softmax per
          step with the unknown-word token suppressed, captions end at END_TOKEN (finished
          images leave the batch), beams ranked by log P / n^LENGTH_PENALTY.
        """

        def __init__(self, vocab=VOCAB, embed=EMBED, hidden=HIDDEN, att=ATT_DIM, feat=FEAT_DIM, dropout=DROPOUT,
                     pad=PAD_TOKEN, unk=UNK_TOKEN, start=START_TOKEN, end=END_TOKEN, length_penalty=LENGTH_PENALTY):
            super().__init__()
            self.vocab, self.hidden = vocab, hidden
            self.unk, self.start, self.end, self.length_penalty = unk, start, end, length_penalty
            self.embedding = nn.Embedding(vocab, embed, padding_idx=pad)
            self.init_h = nn.Linear(feat, hidden)
            self.init_c = nn.Linear(feat, hidden)
            self.att_feat = nn.Linear(feat, att, bias=False)
            self.att_hidden = nn.Linear(hidden, att)
            self.att_v = nn.Linear(att, 1, bias=False)
            self.f_beta = nn.Linear(hidden, feat)
            self.cell = nn.LSTMCell(embed + feat, hidden)
            self.dropout = nn.Dropout(dropout)
            self.fc = nn.Linear(hidden, vocab)

        # The product's checkpoint names (Captioning/AttentionDecoder) -> this module's.
        PRODUCT_NAMES = {"embedding.weight": "embedding.weight", "init_h.weight": "init_h.weight", "init_h.bias": "init_h.bias",
                         "init_c.weight": "init_c.weight", "init_c.bias": "init_c.bias", "attention.features_weight": "att_feat.weight",
                         "attention.hidden_weight": "att_hidden.weight", "attention.bias": "att_hidden.bias",
                         "attention.score_weight": "att_v.weight", "gate.weight": "f_beta.weight", "gate.bias": "f_beta.bias",
                         "lstm.weight_ih": "cell.weight_ih", "lstm.weight_hh": "cell.weight_hh", "lstm.bias_ih": "cell.bias_ih",
                         "lstm.bias_hh": "cell.bias_hh", "output.weight": "fc.weight", "output.bias": "fc.bias"}

        def load_product_weights(self, tensors):
            """Loads a product decoder's weights (names without the "decoder." prefix); every one must be there."""
            self.load_state_dict({ours: tensors[theirs] for theirs, ours in self.PRODUCT_NAMES.items()}, strict=True)

        def init_state(self, feats):
            mean = feats.mean(dim=1)
            return torch.tanh(self.init_h(mean)), torch.tanh(self.init_c(mean))

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
            logits = self.fc(self.dropout(hidden).reshape(b * t_len, self.hidden))
            return logits, torch.stack(alphas, dim=1)

        def step_logp(self, feats, att_f, prev, h, c):
            """One decoding step from the previous tokens: (log-probabilities [N,V], h, c, alpha)."""
            h, c, alpha = self.attend_step(feats, att_f, self.embedding(prev), h, c)
            logp = torch.log_softmax(self.fc(h), dim=1)
            logp[:, self.unk] = float("-inf")          # the unknown-word token is never emitted
            return logp, h, c, alpha

        @torch.no_grad()
        def greedy(self, feats, max_len):
            """Greedy decoding: argmax per step; an image stops at END_TOKEN and leaves the batch.
            Returns per image (tokens, log-probability, attention maps)."""
            b = feats.shape[0]
            att_f = self.att_feat(feats)
            h, c = self.init_state(feats)
            rows = torch.arange(b)
            prev = torch.full((b,), self.start, dtype=torch.long)
            logprob = torch.zeros(b)
            history = []                                     # per step: (image rows, tokens, alpha) of live rows
            for _ in range(max_len):
                if rows.numel() == 0:
                    break
                logp, h, c, alpha = self.step_logp(feats, att_f, prev, h, c)
                best_lp, best = logp.max(dim=1)
                logprob[rows] += best_lp
                live = best != self.end
                history.append((rows[live], best[live], alpha[live]))
                if not bool(live.all()):
                    feats, att_f, h, c = feats[live], att_f[live], h[live], c[live]
                    rows = rows[live]
                prev = best[live]
            tokens = [[] for _ in range(b)]
            attention = [[] for _ in range(b)]
            for step_rows, step_tokens, step_alpha in history:
                for r, t, a in zip(step_rows.tolist(), step_tokens.tolist(), step_alpha):
                    tokens[r].append(t)
                    attention[r].append(a)
            return [(tokens[i], float(logprob[i]), attention[i]) for i in range(b)]

        @torch.no_grad()
        def beam_search(self, feats, max_len, k):
            """Batched beam search as the product's CaptionDecoding: all images x K beams in one
            [N = B*K] batch; only beam 0 of each image starts alive. Per image and step the 2K best
            (beam, token) extensions are walked in rank order: one ending in END_TOKEN becomes a
            finished hypothesis scored log P / n^LENGTH_PENALTY, the others fill the K live beams.
            An image stops (and leaves the batch) with K finished hypotheses; at max_len its live
            beams join the finished ones. Returns per image the best (tokens, score, attention)."""
            b = feats.shape[0]
            att_f = self.att_feat(feats).repeat_interleave(k, dim=0)     # projected once per image
            feats_k = feats.repeat_interleave(k, dim=0)                  # [N, R, D]
            h, c = self.init_state(feats_k)
            active = torch.arange(b)
            score = torch.full((b, k), float("-inf"))
            score[:, 0] = 0.0
            prev = torch.full((b * k,), self.start, dtype=torch.long)
            seqs = torch.empty((b * k, 0), dtype=torch.long)
            attn = torch.empty((b * k, 0, feats.shape[1]))
            finished = [[] for _ in range(b)]
            positions = torch.arange(2 * k)
            for _ in range(max_len):
                n = active.numel()
                if n == 0:
                    break
                logp, h, c, alpha = self.step_logp(feats_k, att_f, prev, h, c)
                total = (score.reshape(-1, 1) + logp).reshape(n, k * self.vocab)
                top_s, top_i = total.topk(2 * k, dim=1)                   # [n, 2K], best first
                top_row = torch.div(top_i, self.vocab, rounding_mode="floor")
                top_tok = top_i % self.vocab
                finite = torch.isfinite(top_s)
                is_end = (top_tok == self.end) & finite
                live_rank = torch.cumsum((~is_end & finite).long(), dim=1)
                take = ~is_end & finite & (live_rank <= k)               # the first K live extensions
                ended = is_end & (live_rank < k)                          # ends ranked before the K-th live one
                base = (torch.arange(n) * k).unsqueeze(1)
                if bool(ended.any()):
                    for a, j in ended.nonzero().tolist():
                        row = int(base[a, 0] + top_row[a, j])
                        length = seqs.shape[1] + 1
                        finished[int(active[a])].append((float(top_s[a, j]) / length ** self.length_penalty,
                                                         seqs[row].tolist(), attn[row]))
                order = torch.where(take, positions, positions + 2 * k).argsort(dim=1)[:, :k]
                valid = take.gather(1, order)
                parent = torch.where(valid, base + top_row.gather(1, order), base + torch.arange(k))
                new_score = torch.where(valid, top_s.gather(1, order), torch.full_like(top_s[:, :k], float("-inf")))
                new_tok = torch.where(valid, top_tok.gather(1, order), torch.full_like(top_tok[:, :k], self.end))
                done = torch.tensor([len(finished[int(i)]) >= k for i in active]) | ~valid.any(dim=1)
                keep = ~done
                kept_parent = parent[keep].reshape(-1)
                h, c = h[kept_parent], c[kept_parent]
                seqs = torch.cat([seqs[kept_parent], new_tok[keep].reshape(-1, 1)], dim=1)
                attn = torch.cat([attn[kept_parent], alpha[kept_parent].unsqueeze(1)], dim=1)
                if not bool(keep.all()):
                    kept_rows = (base + torch.arange(k))[keep].reshape(-1)
                    feats_k, att_f = feats_k[kept_rows], att_f[kept_rows]
                score, prev, active = new_score[keep], new_tok[keep].reshape(-1), active[keep]
            for a, image in enumerate(active.tolist()):                   # cut at max_len: live beams join
                for j in range(k):
                    if math.isfinite(float(score[a, j])):
                        row = a * k + j
                        finished[image].append((float(score[a, j]) / max(1, seqs.shape[1]) ** self.length_penalty,
                                                seqs[row].tolist(), attn[row]))
            return [max(f, key=lambda x: x[0]) if f else (float("-inf"), [], None) for f in finished]

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

    class BasicBlock(nn.Module):
        """ResNet basic block (He et al. 2016) with torchvision's parameter names."""

        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            h = F.relu(self.bn1(self.conv1(x)))
            h = self.bn2(self.conv2(h))
            return F.relu(h + (x if self.downsample is None else self.downsample(x)))

    class ResNet(nn.Module):
        """ImageNet ResNet trunk (stem conv 7x7/2, BN, ReLU, max pool 3x3/2, basic-block stages) ending in
        the last stage's map read as region features [B, 49, 512], as the product's ResNetEncoder."""

        def __init__(self, depths=RESNET_DEPTHS, channels=RESNET_CHANNELS):
            super().__init__()
            self.conv1 = nn.Conv2d(3, channels[0], 7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(channels[0])
            self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
            cin = channels[0]
            for k, (cout, depth) in enumerate(zip(channels, depths)):
                blocks = []
                for j in range(depth):
                    blocks.append(BasicBlock(cin, cout, 2 if k > 0 and j == 0 else 1))
                    cin = cout
                setattr(self, "layer%d" % (k + 1), nn.Sequential(*blocks))
            self.stages = len(channels)

        def forward(self, x):
            x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
            for k in range(self.stages):
                x = getattr(self, "layer%d" % (k + 1))(x)
            return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1, x.shape[1])

    return Encoder, Decoder, Captioner, TextCNN, BiLSTMAttention, ResNet


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
    """Cross-entropy over the B*T non-pad tokens + lambda * mean_b sum_r (1 - sum_t alpha)^2."""
    ce = F.cross_entropy(logits, targets.reshape(-1), ignore_index=PAD_TOKEN)
    reg = ((1.0 - alphas.sum(dim=1)) ** 2).sum(dim=1).mean()
    return ce + ALPHA_REG * reg


def random_captions(batch):
    """Token ids [B, T+1]: inputs = [:, :T], targets = [:, 1:]."""
    caps = torch.randint(FIRST_WORD, VOCAB, (batch, STEPS + 1))
    caps[:, 0] = START_TOKEN
    return caps[:, :STEPS].contiguous(), caps[:, 1:].contiguous()


def setup_encoder(train):
    Encoder = models()[0]
    seed_all()
    model = Encoder()
    images = torch.randn(BATCH, 3, IMG, IMG)
    if train:
        step = train_step_fn(model, lambda: model.regions(images).mean())
        return step, lambda m, n: {"batch": BATCH}
    model.eval()

    def step():
        with torch.no_grad():
            return model.regions(images)
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
    with torch.no_grad():
        model.decoder.fc.bias[END_TOKEN] = SUPPRESSED_END_BIAS
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


def setup_resnet(batch):
    """Pretrained ResNet-18 forward on `batch` transformed 224x224 images (weights and input from the C# side,
    see RESNET_DIR_VAR). PyTorch's best CPU variant is chosen by measurement at setup: eager or TorchScript-
    frozen (conv+BN folded), NCHW or channels_last (oneDNN's blocked convolutions); the choice is reported."""
    ResNet = models()[5]
    folder = os.environ.get(RESNET_DIR_VAR)
    if not folder or not os.path.isdir(folder):
        raise FileNotFoundError("%s must name the directory the C# side wrote the ResNet-18 weights to" % RESNET_DIR_VAR)
    seed_all()
    model = ResNet()
    state = {}
    for key in model.state_dict():
        path = os.path.join(folder, key + ".npy")
        if key.endswith("num_batches_tracked"):
            continue
        state[key] = torch.from_numpy(np.load(path))
    result = model.load_state_dict(state, strict=False)
    missing = [k for k in result.missing_keys if not k.endswith("num_batches_tracked")]
    if missing or result.unexpected_keys:
        raise ValueError("resnet weights do not match the network: missing %s, unexpected %s" % (missing, result.unexpected_keys))
    model.eval()
    images = torch.from_numpy(np.load(os.path.join(folder, "input_b%d.npy" % batch)))
    variants = {}
    with torch.no_grad():
        variants["eager_nchw"] = (model, images)
        cl_model = ResNet()
        cl_model.load_state_dict(state, strict=False)
        cl_model.eval()
        cl_model = cl_model.to(memory_format=torch.channels_last)
        cl_images = images.contiguous(memory_format=torch.channels_last)
        variants["eager_channels_last"] = (cl_model, cl_images)
        for name, (m, x) in list(variants.items()):
            try:
                variants[name.replace("eager", "jit_frozen")] = (torch.jit.freeze(torch.jit.trace(m, x)), x)
            except Exception as exc:  # pragma: no cover - older builds
                log("resnet: %s could not be frozen (%s)" % (name, exc))
        timings = {}
        for name, (m, x) in variants.items():
            for _ in range(2):
                m(x)
            runs = []
            for _ in range(3):
                t0 = time.perf_counter()
                m(x)
                runs.append(time.perf_counter() - t0)
            timings[name] = min(runs)
    chosen = min(timings, key=timings.get)
    log("resnet18_b%d: variant times (ms) %s -> %s" % (batch, {k: round(v * 1e3, 1) for k, v in timings.items()}, chosen))
    net, x = variants[chosen]

    def step():
        with torch.no_grad():
            return net(x)
    return step, lambda m, n: {"batch": batch, "images_per_s": batch / m, "variant": chosen}


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
    "resnet18_b1": (lambda: setup_resnet(1), 20),
    "resnet18_b32": (lambda: setup_resnet(32), 3),
})
MEMORY_CONFIG = "memory_captioner_train100"
MEMORY_STEPS = 100
LEAVES = list(CONFIGS) + [MEMORY_CONFIG]

# Group names accepted by --config (expand to several leaves).
GROUPS = {"sgemm_%d" % n: ["sgemm_%d_numpy" % n, "sgemm_%d_torch" % n] for n in SGEMM_SIZES}
GROUPS["sgemm"] = [c for n in SGEMM_SIZES for c in GROUPS["sgemm_%d" % n]]
GROUPS["models"] = [c for c in CONFIGS if not c.startswith("sgemm") and not c.startswith("resnet18")]
GROUPS["resnet18"] = ["resnet18_b1", "resnet18_b32"]
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
