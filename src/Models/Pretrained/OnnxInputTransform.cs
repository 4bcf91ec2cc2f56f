// The input transform a pretrained network expects, read from the preprocessing ONNX graph that ships
// with it instead of being guessed. ML.NET's DnnImageFeaturizer packages pair each network with such a
// graph; ResNetPreprocess.onnx is
//   Split(axis 1) → Concat(axis 1) in another channel order → Sub(mean image)
// i.e. y[j] = x[order[j]] − mean[j, y, x] on pixels in 0..255 RGB planes (what ML.NET's ExtractPixels gives):
// the network was trained on BGR input minus a per-pixel mean image (CNTK's ImageNet recipe).
// Shape key: S = image side.
using Onnx;

namespace Pipeline.Models.Pretrained;

/// <summary>Channel reordering plus mean-image subtraction: y[j] = x[ChannelOrder[j]] − MeanImage[j].</summary>
/// <param name="ChannelOrder">Input channel feeding each output channel ([2, 1, 0] turns RGB into BGR).</param>
/// <param name="MeanImage">(3, S, S) values subtracted after reordering, in output channel order.</param>
/// <param name="ImageSize">Side S of the mean image.</param>
public sealed record OnnxInputTransform(int[] ChannelOrder, float[] MeanImage, int ImageSize)
{
    /// <summary>Reads the transform from the preprocessing graph at <paramref name="path"/>.</summary>
    public static OnnxInputTransform Import(string path) => Import(OnnxGraph.Load(path));

    /// <summary>Reads the transform from <paramref name="graph"/>; any other structure is refused naming the node.</summary>
    public static OnnxInputTransform Import(OnnxGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var (input, shape) = graph.SingleInput();
        if (shape.Length != 4 || shape[1] != 3 || shape[2] < 1 || shape[2] != shape[3])
            throw graph.Error($"the input '{input}' has shape [{string.Join(", ", shape)}]; expected (B, 3, S, S)");
        int side = shape[2];

        var split = graph.SingleConsumer(input, "Split");
        if (graph.Int(split, "axis", 0) != 1 || split.Output.Count != 3)
            throw graph.Error($"{OnnxGraph.Describe(split)} should split the 3 channels (axis 1)");
        var channelOf = split.Output.Select((name, c) => (name, c)).ToDictionary(p => p.name, p => p.c, StringComparer.Ordinal);
        var concat = graph.SingleConsumer(split.Output[0], "Concat");
        if (graph.Int(concat, "axis", 0) != 1 || concat.Input.Count != 3 || concat.Input.Any(i => !channelOf.ContainsKey(i)) || concat.Input.Distinct().Count() != 3)
            throw graph.Error($"{OnnxGraph.Describe(concat)} should concatenate the three split channels along axis 1");
        int[] order = concat.Input.Select(i => channelOf[i]).ToArray();

        var sub = graph.SingleConsumer(concat.Output[0], "Sub");
        if (sub.Input.Count != 2 || sub.Input[0] != concat.Output[0])
            throw graph.Error($"{OnnxGraph.Describe(sub)} should subtract a constant from the reordered image");
        var (mean, meanShape) = graph.Initializer(sub.Input[1]);
        if (!meanShape.SequenceEqual([1, 3, side, side]) && !meanShape.SequenceEqual([3, side, side]))
            throw graph.Error($"the mean image '{sub.Input[1]}' has shape [{string.Join(", ", meanShape)}]; expected (1, 3, {side}, {side})");
        if (mean.Any(v => !float.IsFinite(v))) throw graph.Error($"the mean image '{sub.Input[1]}' holds non-finite values");
        if (!graph.Model.Graph.Output.Any(o => o.Name == sub.Output[0]))
            throw graph.Error($"the graph computes more after {OnnxGraph.Describe(sub)}; expected the subtraction to be its output");
        return new OnnxInputTransform(order, mean, side);
    }

    /// <summary>
    /// Applies the transform to <paramref name="images"/> (B·3·S·S floats, RGB planes in 0..255) into
    /// <paramref name="destination"/> (same length). Allocation-free.
    /// </summary>
    public void Apply(ReadOnlySpan<float> images, Span<float> destination)
    {
        int plane = ImageSize * ImageSize, image = 3 * plane;
        if (images.Length % image != 0 || destination.Length != images.Length)
            throw new ArgumentException($"input transform: {images.Length} values are not whole (3, {ImageSize}, {ImageSize}) images, or the destination has {destination.Length}.");
        for (int b = 0; b < images.Length; b += image)
            for (int j = 0; j < 3; j++)
                System.Numerics.Tensors.TensorPrimitives.Subtract(images.Slice(b + ChannelOrder[j] * plane, plane), MeanImage.AsSpan(j * plane, plane), destination.Slice(b + j * plane, plane));
    }
}
