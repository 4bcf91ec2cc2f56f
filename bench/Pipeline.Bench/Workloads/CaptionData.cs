// Synthetic captions shared by the decoder and captioner configurations: ids in [2, 5000) with the
// start token first; inputs = the first 20 ids of each caption, targets = the last 20 (teacher forcing).
using Pipeline.Bench.Models;
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Workloads;

/// <summary>Teacher-forcing inputs per step and batch-major flat targets.</summary>
internal sealed class CaptionData
{
    public CaptionData(Generator generator, int batch, int steps)
    {
        var captions = new int[batch, steps + 1];
        for (int b = 0; b < batch; b++)
        {
            captions[b, 0] = BenchSizes.StartToken;
            for (int t = 1; t <= steps; t++) captions[b, t] = 2 + generator.NextInt(BenchSizes.Vocab - 2);
        }
        StepInputs = new int[steps][];
        for (int t = 0; t < steps; t++)
        {
            StepInputs[t] = new int[batch];
            for (int b = 0; b < batch; b++) StepInputs[t][b] = captions[b, t];
        }
        Targets = new int[batch * steps];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++) Targets[b * steps + t] = captions[b, t + 1];
    }

    /// <summary>Input ids of step t for every caption: [T][B].</summary>
    public int[][] StepInputs { get; }

    /// <summary>Target ids in batch-major order (B·T), matching the logits rows.</summary>
    public int[] Targets { get; }
}
