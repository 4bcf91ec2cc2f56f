// Result of the captioner's training objective (Xu et al. 2015, eq. 14):
//   L = CE(non-pad targets) + λ·(1/M)·Σ_m Σ_r (1 − Σ_t α_mtr)²
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Captioning;

/// <summary>The differentiable loss and its parts for logging.</summary>
/// <param name="Loss">Scalar total, ready for Backward.</param>
/// <param name="CrossEntropy">Mean cross-entropy per non-pad target token.</param>
/// <param name="AttentionPenalty">The λ-weighted doubly-stochastic term as added to the loss (0 without attention).</param>
/// <param name="Tokens">Number of non-pad target tokens.</param>
public sealed record CaptionLoss(Tensor Loss, double CrossEntropy, double AttentionPenalty, int Tokens);
