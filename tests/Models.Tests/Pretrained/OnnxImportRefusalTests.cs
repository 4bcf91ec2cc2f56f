// The importers read only what they can prove equivalent: each test takes the packaged graph, changes one
// thing the engine's ResNet could not reproduce (or reproduce only differently), and expects a refusal that
// names the node — never a silently different network.
using Google.Protobuf;
using Onnx;
using Pipeline.Models.Pretrained;

namespace Pipeline.Models.Tests.Pretrained;

public sealed class OnnxImportFixture
{
    public OnnxImportFixture()
    {
        Network = ModelProto.Parser.ParseFrom(File.ReadAllBytes(PretrainedBackbones.ResNet18.Weights.Locate()));
        Preprocessing = ModelProto.Parser.ParseFrom(File.ReadAllBytes(PretrainedBackbones.ResNet18.Preprocessing.Locate()));
    }

    public ModelProto Network { get; }
    public ModelProto Preprocessing { get; }
}

public sealed class OnnxImportRefusalTests(OnnxImportFixture fixture) : IClassFixture<OnnxImportFixture>
{
    private static OnnxGraph Graph(ModelProto model) => OnnxGraph.FromBytes(model.ToByteArray(), "mutated.onnx");

    private ModelProto Mutated(string nodeName, Action<NodeProto> change)
    {
        var model = fixture.Network.Clone();
        change(model.Graph.Node.Single(n => n.Name == nodeName));
        return model;
    }

    private static void SetInts(NodeProto node, string name, params long[] values)
    {
        var attribute = node.Attribute.Single(a => a.Name == name);
        attribute.Ints.Clear();
        attribute.Ints.Add(values);
    }

    [Theory]
    [InlineData("Convolution263", "strides")]          // a layer-1 block conv with stride 2 inside a stage
    [InlineData("Convolution263", "pads")]             // padding the engine cannot express
    [InlineData("Convolution263", "dilations")]
    [InlineData("Convolution263", "group")]
    [InlineData("BatchNormalization265", "epsilon")]
    [InlineData("Convolution263", "auto_pad")]
    [InlineData("Convolution263", "bias")]
    public void A_changed_layer_is_refused_naming_its_node(string node, string change)
    {
        var model = Mutated(node, n =>
        {
            switch (change)
            {
                case "strides": SetInts(n, "strides", 2, 2); break;
                case "pads": SetInts(n, "pads", 0, 0, 2, 2); break;
                case "dilations": SetInts(n, "dilations", 2, 2); break;
                case "group": n.Attribute.Single(a => a.Name == "group").I = 2; break;
                case "epsilon": n.Attribute.Single(a => a.Name == "epsilon").F = 1e-3f; break;
                case "auto_pad": n.Attribute.Single(a => a.Name == "auto_pad").S = ByteString.CopyFromUtf8("SAME_UPPER"); break;
                case "bias": n.Input.Add("Constant98"); break;
            }
        });
        var error = Assert.Throws<InvalidDataException>(() => OnnxResNetImporter.Import(Graph(model)));
        Assert.Contains("mutated.onnx", error.Message);
        Assert.Contains($"'{node}'", error.Message);
    }

    [Fact]
    public void Another_activation_breaks_the_block_pattern()
    {
        var model = Mutated("ReLU261", n => n.OpType = "Sigmoid");
        var error = Assert.Throws<InvalidDataException>(() => OnnxResNetImporter.Import(Graph(model)));
        Assert.Contains("Relu", error.Message);
    }

    [Fact]
    public void Preprocessing_graph_gives_bgr_order_and_a_mean_image()
    {
        var transform = OnnxInputTransform.Import(Graph(fixture.Preprocessing));
        Assert.Equal([2, 1, 0], transform.ChannelOrder);
        Assert.Equal(224, transform.ImageSize);
        Assert.Equal(3 * 224 * 224, transform.MeanImage.Length);
        Assert.InRange(transform.MeanImage.Average(), 90f, 140f);                // ImageNet means on the 0..255 scale

        var changed = fixture.Preprocessing.Clone();
        changed.Graph.Node.Single(n => n.OpType == "Sub").OpType = "Add";
        Assert.Contains("Sub", Assert.Throws<InvalidDataException>(() => OnnxInputTransform.Import(Graph(changed))).Message);
    }

    [Fact]
    public void Input_transform_reorders_then_subtracts()
    {
        // Naive reference: y[j, p] = x[order[j], p] − mean[j, p], for a 2×2 image.
        var mean = Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray();
        var transform = new OnnxInputTransform([2, 0, 1], mean, 2);
        var x = Enumerable.Range(0, 24).Select(i => (float)(i * i % 17)).ToArray();     // two images
        var y = new float[24];
        transform.Apply(x, y);
        for (int b = 0; b < 2; b++)
            for (int j = 0; j < 3; j++)
                for (int p = 0; p < 4; p++)
                    Assert.Equal(x[b * 12 + transform.ChannelOrder[j] * 4 + p] - mean[j * 4 + p], y[b * 12 + j * 4 + p]);
    }

    [Fact]
    public void A_file_with_another_checksum_is_not_used()
    {
        var real = PretrainedBackbones.ResNet18.Preprocessing;
        var wrong = real with { Sha256 = new string('0', 64) };
        var error = Assert.Throws<FileNotFoundException>(() => wrong.Locate());
        Assert.Contains($"has SHA-256 {real.Sha256}", error.Message);
        Assert.Contains("PackageDownload", error.Message);
        Assert.Equal(real.Sha256, PackagedFile.Checksum(real.Locate()));
    }
}
