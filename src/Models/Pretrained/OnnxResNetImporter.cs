// Reads an ImageNet ResNet from an ONNX graph into the engine's ResNet (Vision/ResNet): walks the graph
// from its input — stem Conv → BatchNormalization → Relu → MaxPool, then basic blocks
//   Conv3×3 → BN → Relu → Conv3×3 → BN → Add(·, shortcut) → Relu,  shortcut = input or BN(Conv1×1(input))
// until the global average pool — and maps every weight onto the torchvision-style checkpoint keys of
// ResNet (conv1.weight, bn1.*, layer{k}.{j}.conv1.weight, …, layer{k}.{j}.downsample.{0,1}.*).
// Nothing is assumed that the graph does not say: kernel sizes, strides, group = 1, dilation = 1,
// epsilon = 1e-5 and the padding are all checked, and any other op or wiring is refused naming the node.
// Padding: some exporters (CNTK, which made ML.NET's ResNet18.onnx) pad stride-2 layers asymmetrically
// ([1, 1, 0, 0] for 3×3, [3, 3, 2, 2] for the 7×7 stem). For the graph's own input size the importer checks that
// the engine's symmetric padding k/2 yields the same windows: the same leading pad and the same output
// size, so every window covers the same pixels and any position past the edge is a padding zero in both.
// Shape key: S = input side, F = channels of the last stage.
using Onnx;
using Pipeline.Models.Vision;

namespace Pipeline.Models.Pretrained;

/// <summary>A ResNet read from ONNX: its architecture, its weights under <see cref="ResNet"/>'s keys, and where its outputs are.</summary>
/// <param name="Spec">The architecture found in the graph.</param>
/// <param name="Weights">Checkpoint key → (values, shape), exactly the keys of <see cref="Nn.Module.StateDict"/> of a <see cref="ResNet"/>.</param>
/// <param name="InputName">The graph input (B, 3, S, S).</param>
/// <param name="ImageSize">Side S the graph was exported for (its padding was checked at this size).</param>
/// <param name="FeatureMapName">The value holding the last stage's map (B, F, S/32, S/32).</param>
/// <param name="PooledName">The value holding the globally average-pooled features (B, F, 1, 1).</param>
public sealed record ImportedResNet(ResNetSpec Spec, IReadOnlyDictionary<string, (float[] Values, int[] Shape)> Weights,
    string InputName, int ImageSize, string FeatureMapName, string PooledName);

/// <summary>Imports ResNet weights from ONNX files.</summary>
public static class OnnxResNetImporter
{
    /// <summary>Batch-norm epsilon of the engine's layers; graphs with another value are refused.</summary>
    private const float ExpectedEpsilon = 1e-5f;

    /// <summary>Reads the ResNet in the ONNX file at <paramref name="path"/>.</summary>
    public static ImportedResNet Import(string path) => Import(OnnxGraph.Load(path));

    /// <summary>Reads the ResNet in <paramref name="graph"/>.</summary>
    public static ImportedResNet Import(OnnxGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var weights = new Dictionary<string, (float[], int[])>(StringComparer.Ordinal);
        var (input, inputShape) = graph.SingleInput();
        if (inputShape.Length != 4 || inputShape[1] != 3 || inputShape[2] < 1 || inputShape[2] != inputShape[3])
            throw graph.Error($"the input '{input}' has shape [{string.Join(", ", inputShape)}]; expected (B, 3, S, S)");
        int side = inputShape[2];

        // Stem: conv k×k stride 2 → BN → ReLU → max pool 3×3 stride 2.
        var stemConv = graph.SingleConsumer(input, "Conv");
        var (stemChannels, stemKernel) = ReadConv(graph, stemConv, "conv1", weights, ref side, stride: 2);
        var stemBn = ReadBatchNorm(graph, graph.SingleConsumer(stemConv.Output[0], "BatchNormalization"), "bn1", stemChannels, weights);
        var stemRelu = graph.SingleConsumer(stemBn.Output[0], "Relu");
        var pool = graph.SingleConsumer(stemRelu.Output[0], "MaxPool");
        CheckWindow(graph, pool, kernel: 3, stride: 2, ref side);

        var stageChannels = new List<int>();
        var stageDepths = new List<int>();
        string x = pool.Output[0];
        int channels = stemChannels;
        while (true)
        {
            var readers = graph.Consumers(x);
            if (readers.Count == 1 && readers[0].OpType is "AveragePool" or "GlobalAveragePool") break;
            var conv1 = readers.Where(n => n.OpType == "Conv" && graph.Ints(n, "kernel_shape").SequenceEqual([3, 3])).ToList();
            if (conv1.Count != 1)
                throw graph.Error($"after '{x}' expected a residual block (one 3×3 Conv) or the average pool, found [{string.Join(", ", readers.Select(OnnxGraph.Describe))}]");
            int stride = graph.Ints(conv1[0], "strides", [1, 1])[0];
            if (stageChannels.Count == 0 ? stride != 1 : stride != 1 && stride != 2)
                throw graph.Error($"{OnnxGraph.Describe(conv1[0])} has stride {stride}; blocks of the first stage have stride 1, later stages start with stride 2");
            if (stride == 2 || stageChannels.Count == 0) { stageChannels.Add(-1); stageDepths.Add(0); }
            string prefix = $"layer{stageChannels.Count}.{stageDepths[^1]}";
            int blockSide = side;
            x = ReadBlock(graph, x, readers, conv1[0], prefix, channels, stride, weights, ref side, out int outChannels);
            if (stageChannels[^1] != -1 && stageChannels[^1] != outChannels)
                throw graph.Error($"block {prefix} changes channels {channels} → {outChannels} without stride 2 (input side {blockSide}); not a ResNet stage layout");
            stageChannels[^1] = outChannels;
            stageDepths[^1]++;
            channels = outChannels;
        }

        var head = graph.Consumers(x)[0];
        if (head.OpType == "AveragePool")
        {
            var k = graph.Ints(head, "kernel_shape");
            var pads = graph.Ints(head, "pads", [0, 0, 0, 0]);
            if (k.Length != 2 || k[0] != side || k[1] != side || pads.Any(p => p != 0))
                throw graph.Error($"{OnnxGraph.Describe(head)} pools {string.Join("×", k)} with pads [{string.Join(", ", pads)}] over a {side}×{side} map; expected a global average");
        }
        if (stageChannels.Count == 0) throw graph.Error("no residual blocks were found");
        var spec = new ResNetSpec(stemChannels, stemKernel, [.. stageChannels], [.. stageDepths]).Validate();
        if (spec.GridSize(inputShape[2]) != side)
            throw graph.Error($"the map is {side}×{side} but the engine's ResNet gives {spec.GridSize(inputShape[2])} for input side {inputShape[2]}");
        return new ImportedResNet(spec, weights, input, inputShape[2], x, head.Output[0]);
    }

    private static string ReadBlock(OnnxGraph graph, string input, IReadOnlyList<NodeProto> readers, NodeProto conv1, string prefix, int inChannels, int stride,
        Dictionary<string, (float[], int[])> weights, ref int side, out int outChannels)
    {
        int inSide = side;
        var (c1, _) = ReadConv(graph, conv1, prefix + ".conv1", weights, ref side, stride, kernel: 3, inChannels: inChannels);
        var bn1 = ReadBatchNorm(graph, graph.SingleConsumer(conv1.Output[0], "BatchNormalization"), prefix + ".bn1", c1, weights);
        var relu1 = graph.SingleConsumer(bn1.Output[0], "Relu");
        var conv2 = graph.SingleConsumer(relu1.Output[0], "Conv");
        var (c2, _) = ReadConv(graph, conv2, prefix + ".conv2", weights, ref side, stride: 1, kernel: 3, inChannels: c1);
        var bn2 = ReadBatchNorm(graph, graph.SingleConsumer(conv2.Output[0], "BatchNormalization"), prefix + ".bn2", c2, weights);
        var add = graph.SingleConsumer(bn2.Output[0], "Add");

        string shortcut;
        var projection = readers.Where(n => n != conv1 && n.OpType == "Conv").ToList();
        if (projection.Count == 1)
        {
            int projectionSide = inSide;
            var (cp, _) = ReadConv(graph, projection[0], prefix + ".downsample.0", weights, ref projectionSide, stride, kernel: 1, inChannels: inChannels);
            var bnp = ReadBatchNorm(graph, graph.SingleConsumer(projection[0].Output[0], "BatchNormalization"), prefix + ".downsample.1", cp, weights);
            if (cp != c2 || projectionSide != side) throw graph.Error($"the projection shortcut of block {prefix} does not match its main path");
            shortcut = bnp.Output[0];
        }
        else if (projection.Count == 0 && stride == 1 && inChannels == c2) shortcut = input;
        else throw graph.Error($"block {prefix} ({inChannels} → {c2} channels, stride {stride}) needs exactly one 1×1 projection shortcut, found {projection.Count}");

        var addInputs = add.Input.ToHashSet(StringComparer.Ordinal);
        if (add.Input.Count != 2 || !addInputs.Contains(shortcut) || !addInputs.Contains(bn2.Output[0]))
            throw graph.Error($"{OnnxGraph.Describe(add)} of block {prefix} should add the main path and its shortcut");
        outChannels = c2;
        return graph.SingleConsumer(add.Output[0], "Relu").Output[0];
    }

    /// <summary>Checks a Conv node and stores its weight under <paramref name="key"/>.weight; returns (out channels, kernel side).</summary>
    private static (int OutChannels, int Kernel) ReadConv(OnnxGraph graph, NodeProto conv, string key, Dictionary<string, (float[], int[])> weights,
        ref int side, int stride, int? kernel = null, int inChannels = 3)
    {
        if (conv.Input.Count != 2) throw graph.Error($"{OnnxGraph.Describe(conv)} has a bias; the engine's ResNet convolutions have none (the batch norm's shift plays that role)");
        var (values, shape) = graph.Initializer(conv.Input[1]);
        if (shape.Length != 4 || shape[1] != inChannels || shape[2] != shape[3] || (kernel is { } k && shape[2] != k))
            throw graph.Error($"{OnnxGraph.Describe(conv)} has weight [{string.Join(", ", shape)}]; expected (O, {inChannels}, {kernel?.ToString() ?? "k"}, {kernel?.ToString() ?? "k"})");
        if (graph.Int(conv, "group", 1) != 1) throw graph.Error($"{OnnxGraph.Describe(conv)} is a grouped convolution");
        if (graph.Ints(conv, "dilations", [1, 1]).Any(d => d != 1)) throw graph.Error($"{OnnxGraph.Describe(conv)} is dilated");
        var strides = graph.Ints(conv, "strides", [1, 1]);
        if (strides.Length != 2 || strides[0] != stride || strides[1] != stride)
            throw graph.Error($"{OnnxGraph.Describe(conv)} has strides [{string.Join(", ", strides)}]; expected {stride}");
        CheckPadding(graph, conv, shape[2], stride, ref side);
        weights[key + ".weight"] = (values, shape);
        return (shape[0], shape[2]);
    }

    private static void CheckWindow(OnnxGraph graph, NodeProto pool, int kernel, int stride, ref int side)
    {
        var k = graph.Ints(pool, "kernel_shape");
        var s = graph.Ints(pool, "strides", [1, 1]);
        if (!k.SequenceEqual([kernel, kernel]) || !s.SequenceEqual([stride, stride]) || graph.Int(pool, "ceil_mode", 0) != 0)
            throw graph.Error($"{OnnxGraph.Describe(pool)} pools {string.Join("×", k)} with strides [{string.Join(", ", s)}]; expected {kernel}×{kernel} stride {stride}, floor mode");
        CheckPadding(graph, pool, kernel, stride, ref side);
    }

    /// <summary>
    /// Checks that padding k/2 on every side gives the same windows as the node's own padding at input side
    /// <paramref name="side"/>, and advances <paramref name="side"/> to the output side.
    /// </summary>
    private static void CheckPadding(OnnxGraph graph, NodeProto node, int kernel, int stride, ref int side)
    {
        string autoPad = graph.String(node, "auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or ""))
            throw graph.Error($"{OnnxGraph.Describe(node)} uses auto_pad {autoPad}; only explicit pads are supported");
        var pads = graph.Ints(node, "pads", [0, 0, 0, 0]);                 // [top, left, bottom, right]
        int symmetric = kernel / 2;
        if (pads.Length != 4 || pads[0] != pads[1] || pads[2] != pads[3] || pads[0] != symmetric)
            throw graph.Error($"{OnnxGraph.Describe(node)} pads [{string.Join(", ", pads)}]; the engine pads {symmetric} on every side, which matches only a leading pad of {symmetric} on both axes");
        int theirs = (side + pads[0] + pads[2] - kernel) / stride + 1;
        int ours = (side + 2 * symmetric - kernel) / stride + 1;
        if (theirs != ours)
            throw graph.Error($"{OnnxGraph.Describe(node)} maps side {side} to {theirs} with pads [{string.Join(", ", pads)}], symmetric padding {symmetric} would give {ours}");
        side = ours;
    }

    private static NodeProto ReadBatchNorm(OnnxGraph graph, NodeProto bn, string key, int channels, Dictionary<string, (float[], int[])> weights)
    {
        if (bn.Input.Count != 5) throw graph.Error($"{OnnxGraph.Describe(bn)} should have inputs (X, scale, B, mean, var)");
        float eps = graph.Float(bn, "epsilon", 1e-5f);
        if (MathF.Abs(eps - ExpectedEpsilon) > 1e-9f) throw graph.Error($"{OnnxGraph.Describe(bn)} has epsilon {eps}; the engine's batch norm uses {ExpectedEpsilon}");
        if (graph.Int(bn, "spatial", 1) != 1) throw graph.Error($"{OnnxGraph.Describe(bn)} is not spatial (per-channel) batch norm");
        string[] names = ["weight", "bias", "running_mean", "running_var"];
        for (int i = 0; i < 4; i++)
        {
            var (values, shape) = graph.Initializer(bn.Input[i + 1]);
            if (shape.Length != 1 || shape[0] != channels)
                throw graph.Error($"{OnnxGraph.Describe(bn)} input {i + 1} has shape [{string.Join(", ", shape)}]; expected [{channels}]");
            weights[$"{key}.{names[i]}"] = (values, shape);
        }
        return bn;
    }
}
