// Every configuration our side implements, by the name the runner and the reference share.
namespace Pipeline.Bench.Workloads;

/// <summary>Creates workloads by configuration name.</summary>
internal static class WorkloadCatalog
{
    /// <summary>Square SGEMM sizes (each compared with both numpy and torch).</summary>
    public static readonly int[] SgemmSizes = [256, 512, 1024, 2048];

    /// <summary>Model configurations in report order.</summary>
    public static readonly string[] Models =
    [
        "encoder_train", "encoder_eval", "decoder_train", "captioner_train", "captioner_greedy", "captioner_beam3",
        "textcnn_train", "textcnn_infer", "bilstm_train", "bilstm_infer", "resnet18_b1", "resnet18_b32",
    ];

    /// <summary>All configuration names: sgemm_N then the models.</summary>
    public static IEnumerable<string> All => SgemmSizes.Select(n => $"sgemm_{n}").Concat(Models);

    /// <summary>Builds the workload called <paramref name="name"/> (setup happens here, outside any timing).</summary>
    public static IWorkload Create(string name) => name switch
    {
        _ when name.StartsWith("sgemm_", StringComparison.Ordinal) => new SgemmWorkload(int.Parse(name["sgemm_".Length..], System.Globalization.CultureInfo.InvariantCulture)),
        "encoder_train" => new EncoderWorkload(training: true),
        "encoder_eval" => new EncoderWorkload(training: false),
        "decoder_train" or "captioner_train" or "captioner_greedy" or "captioner_beam3" => new CaptionWorkload(name),
        "textcnn_train" or "textcnn_infer" or "bilstm_train" or "bilstm_infer" => new TextWorkload(name),
        "resnet18_b1" => new ResNetWorkload(1),
        "resnet18_b32" => new ResNetWorkload(32),
        _ => throw new ArgumentException($"unknown configuration '{name}'; known: {string.Join(", ", All)}"),
    };

    /// <summary>The train step of a training workload, or null.</summary>
    public static TrainStep? TrainStepOf(IWorkload workload) => workload switch
    {
        EncoderWorkload e => e.Train,
        CaptionWorkload c => c.Train,
        TextWorkload t => t.Train,
        _ => null,
    };
}
