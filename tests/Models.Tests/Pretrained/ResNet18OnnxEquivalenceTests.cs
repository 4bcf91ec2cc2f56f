// The ResNet-18 of ML.NET's featurizer package, run by our engine, against ONNX Runtime running the same
// two packaged ONNX files (ResNetPreprocess.onnx, then ResNet18.onnx). Both the 7×7×512 map of the last
// stage (exposed by adding it to the graph's outputs) and the 512-d average-pooled features are compared
// for 8 images.
// Tolerance 1e-4 relative, in two forms: max |ours − ort| / max |ort| over each image's tensor, and
// element-wise |ours − ort| / |ort| for every element above 1 % of that maximum (element-wise relative error
// is meaningless for the many near-zero post-ReLU values). Float32 convolutions that sum up to 4,608
// products in different orders (ORT's kernels vs our packed SGEMM) differ by a few ulps of the running sums;
// measured: ≈ 1e-6 of the scale after 21 convolutions.
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using Pipeline.Models.Autograd;
using Pipeline.Models.Captioning;
using Pipeline.Models.Pretrained;
using Pipeline.Models.Tensors;
using Tensor = Pipeline.Models.Tensors.Tensor;

namespace Pipeline.Models.Tests.Pretrained;

public sealed class ResNet18OnnxEquivalenceTests
{
    private const int Images = 8, Side = 224, Channels = 512, Grid = 7;

    [Fact]
    public void Encoder_matches_onnx_runtime_on_the_packaged_files()
    {
        var backbone = PretrainedBackbones.ResNet18;
        string weightsPath = backbone.Weights.Locate(), preprocessPath = backbone.Preprocessing.Locate();
        var pixels = TestImages.Natural(Images, Side, seed: 12);                              // (8, 3, 224, 224) in 0..255

        // Ours: the captioner's encoder with every stage frozen, as shipped.
        var encoder = new ResNetEncoder(PretrainedEncoderSpec.For(backbone), new Generator(1));
        encoder.LoadPretrained();
        float[] ourRegions;                                                                   // (8, 49, 512)
        using (GradMode.NoGrad())
        using (var scope = new TensorScope())
            ourRegions = encoder.Forward(Tensor.FromArray(pixels, Images, 3, Side, Side)).ToArray();

        // ONNX Runtime: the preprocessing graph, then the network with the last stage's map added as an output.
        var imported = OnnxResNetImporter.Import(weightsPath);
        using var preprocess = new InferenceSession(preprocessPath);
        using var network = new InferenceSession(WithExtraOutput(weightsPath, imported.FeatureMapName));
        int image = 3 * Side * Side;
        for (int b = 0; b < Images; b++)
        {
            var input = new DenseTensor<float>(pixels.AsMemory(b * image, image), [1, 3, Side, Side]);
            using var prepared = preprocess.Run([NamedOnnxValue.CreateFromTensor(preprocess.InputMetadata.Keys.Single(), input)]);
            var preparedTensor = prepared.Single().AsTensor<float>().ToDenseTensor();
            using var outputs = network.Run([NamedOnnxValue.CreateFromTensor(imported.InputName, preparedTensor)]);
            var map = outputs.Single(o => o.Name == imported.FeatureMapName).AsTensor<float>().ToArray();     // (512, 7, 7)
            var pooled = outputs.Single(o => o.Name == imported.PooledName).AsTensor<float>().ToArray();      // (512)
            Assert.Equal(Channels * Grid * Grid, map.Length);
            Assert.Equal(Channels, pooled.Length);

            // Ours is (R, F) per image; theirs (F, R).
            var ourMap = new float[Channels * Grid * Grid];
            var ourPooled = new float[Channels];
            for (int r = 0; r < Grid * Grid; r++)
                for (int f = 0; f < Channels; f++)
                {
                    float v = ourRegions[(b * Grid * Grid + r) * Channels + f];
                    ourMap[f * Grid * Grid + r] = v;
                    ourPooled[f] += v / (Grid * Grid);
                }
            AssertRelativeToScale(map, ourMap, $"image {b}, 7×7×512 map");
            AssertRelativeToScale(pooled, ourPooled, $"image {b}, pooled 512-d features");
        }
    }

    [Fact]
    public void Importer_reads_the_architecture_and_every_weight()
    {
        var imported = OnnxResNetImporter.Import(PretrainedBackbones.ResNet18.Weights.Locate());
        Assert.Equal(PretrainedBackbones.ResNet18.Architecture, imported.Spec);
        Assert.Equal(224, imported.ImageSize);
        var resnet = new Vision.ResNet(imported.Spec, new Generator(0));
        Assert.Equal(resnet.StateDict().Keys.Order(), imported.Weights.Keys.Order());
        foreach (var (name, tensor) in resnet.StateDict())
            Assert.Equal(tensor.ShapeArray(), imported.Weights[name].Shape);
    }

    private static void AssertRelativeToScale(float[] expected, float[] actual, string what)
    {
        float scale = expected.Max(MathF.Abs), worst = 0f;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = MathF.Abs(expected[i] - actual[i]);
            if (d > worst) { worst = d; at = i; }
        }
        Assert.True(scale > 1f, $"{what}: ONNX Runtime's output is all near zero (max {scale}); the comparison would say nothing");
        Assert.True(worst / scale <= 1e-4f, $"{what}: max |diff| {worst:G4} at {at} (ort {expected[Math.Max(at, 0)]:G6}, ours {actual[Math.Max(at, 0)]:G6}) is {worst / scale:G3} of the scale {scale:G4}");
        for (int i = 0; i < expected.Length; i++)
            if (MathF.Abs(expected[i]) >= 0.01f * scale)
                Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-4f * MathF.Abs(expected[i]),
                    $"{what}: element {i} ort {expected[i]:G8}, ours {actual[i]:G8}: relative difference above 1e-4");
    }

    /// <summary>The ONNX file's bytes with <paramref name="value"/> (an intermediate result) added to the graph outputs.</summary>
    internal static byte[] WithExtraOutput(string path, string value)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var info = model.Graph.ValueInfo.Single(v => v.Name == value);
        model.Graph.Output.Add(info.Clone());
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }
}
