// One benchmark configuration on our side: built once (model, optimiser, synthetic data, outside the
// timed region), then Step() is the unit of work that is timed, with the same name and the same work
// per step as the PyTorch reference configuration of bench/reference/reference.py.
namespace Pipeline.Bench.Workloads;

/// <summary>A benchmark configuration whose <see cref="Step"/> is timed.</summary>
internal interface IWorkload
{
    /// <summary>The configuration name shared with the reference (e.g. "encoder_train").</summary>
    string Name { get; }

    /// <summary>Trainable parameter count (0 for kernels), printed beside the reference's to prove the models match.</summary>
    long ParameterCount { get; }

    /// <summary>One timed unit: a full train step, an inference batch, or one matrix product.</summary>
    void Step();

    /// <summary>Configuration-specific figures for a median step time (GFLOPS, images/s, docs/s).</summary>
    IReadOnlyDictionary<string, double> Figures(double medianMs, double minMs);
}
