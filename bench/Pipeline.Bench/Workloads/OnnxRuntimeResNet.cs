// The ONNX Runtime side of resnet18_b1 / resnet18_b32: the same ResNet18.onnx file the engine imports
// (ML.NET's featurizer package), run by ONNX Runtime's CPU execution provider in this process with its
// fastest settings for a CPU-bound model: all graph optimisations (constant folding, Conv+BN+Add+ReLU
// fusion, NCHWc layout transformation of the convolutions), sequential execution, intra-op threads = the
// comparison's thread count, inter-op 1, spinning workers (ORT's default). Input: the already-transformed
// (B, 3, 224, 224) batch; output: the graph's pooled (B, 512, 1, 1) features.
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Pipeline.Models.Pretrained;

namespace Pipeline.Bench.Workloads;

/// <summary>ResNet-18 forward in ONNX Runtime.</summary>
internal sealed class OnnxRuntimeResNet : IWorkload, IDisposable
{
    private readonly InferenceSession session;
    private readonly List<NamedOnnxValue> inputs;
    private readonly int batch;

    public OnnxRuntimeResNet(int batch, int threads)
    {
        this.batch = batch;
        Name = $"resnet18_b{batch}";
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        };
        Options = $"ORT {OrtEnv.Instance().GetVersionString()}, CPU provider, graph optimisation all, sequential, intra-op threads {threads}, inter-op 1";
        session = new InferenceSession(WithBatchAxis(PretrainedBackbones.ResNet18.Weights.Locate()), options);
        var transform = OnnxInputTransform.Import(PretrainedBackbones.ResNet18.Preprocessing.Locate());
        var pixels = ResNetWorkload.Pixels(batch, seed: 0);
        var prepared = new float[pixels.Length];
        transform.Apply(pixels.Data, prepared);
        var input = new DenseTensor<float>(prepared, [batch, 3, ResNetWorkload.ImageSize, ResNetWorkload.ImageSize]);
        inputs = [NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input)];
    }

    public string Name { get; }

    /// <summary>The session settings, for the report.</summary>
    public string Options { get; }

    public long ParameterCount => 0;

    public void Step()
    {
        using var outputs = session.Run(inputs);
    }

    public IReadOnlyDictionary<string, double> Figures(double medianMs, double minMs)
        => new Dictionary<string, double> { ["images_per_s"] = batch / (medianMs / 1000) };

    public void Dispose() => session.Dispose();

    /// <summary>
    /// The file's bytes with a symbolic batch axis: the CNTK export fixes batch 1 on its input, output and
    /// intermediate value shapes (the graph has no reshape that depends on it), so axis 0 is renamed "batch".
    /// </summary>
    private static byte[] WithBatchAxis(string path)
    {
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        foreach (var value in model.Graph.Input.Concat(model.Graph.Output).Concat(model.Graph.ValueInfo))
        {
            var dims = value.Type?.TensorType?.Shape?.Dim;
            if (dims is { Count: > 0 }) dims[0] = new Onnx.TensorShapeProto.Types.Dimension { DimParam = "batch" };
        }
        var ops = model.Graph.Node.Select(n => n.OpType).Distinct().ToArray();
        if (ops.Except(["Conv", "BatchNormalization", "Relu", "MaxPool", "Add", "AveragePool", "GlobalAveragePool"]).Any())
            throw new InvalidDataException($"ResNet18.onnx holds ops [{string.Join(", ", ops)}]; a batch axis can only be added when none of them fixes a shape");
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }
}
