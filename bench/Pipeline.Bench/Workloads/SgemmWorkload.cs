// sgemm_N: square C = A·B on the engine's packed SGEMM, compared with numpy's `a @ b` and
// torch.mm (both OpenBLAS). The reference allocates its output per call; we reuse one, as a layer
// with a pooled result buffer does.
using Pipeline.Models.Kernels;

namespace Pipeline.Bench.Workloads;

/// <summary>One n×n×n matrix product per step.</summary>
internal sealed class SgemmWorkload : IWorkload
{
    private readonly int n;
    private readonly float[] a, b, c;

    public SgemmWorkload(int n)
    {
        this.n = n;
        var random = new Random(0);
        a = new float[n * n]; b = new float[n * n]; c = new float[n * n];
        for (int i = 0; i < a.Length; i++) { a[i] = (float)(random.NextDouble() * 2 - 1); b[i] = (float)(random.NextDouble() * 2 - 1); }
    }

    public string Name => $"sgemm_{n}";
    public long ParameterCount => 0;

    public void Step() => Sgemm.Multiply(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n);

    public IReadOnlyDictionary<string, double> Figures(double medianMs, double minMs) => new Dictionary<string, double>
    {
        ["gflops"] = 2.0 * n * n * n / medianMs / 1e6,
        ["gflops_best"] = 2.0 * n * n * n / minMs / 1e6,
    };
}
