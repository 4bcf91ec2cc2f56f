// The pretrained image backbones the captioner can use, by name. Each is a pair of files from one NuGet
// package — the network and the preprocessing graph it was trained with — identified by checksum, so a
// model directory can refer to its encoder weights instead of carrying 45 MB of copies.
//   resnet18  ML.NET's DnnImageFeaturizer ResNet-18 (ImageNet, exported from CNTK, MIT licence). Unlike
//             torchvision's ResNet-18 its last stage has three basic blocks (the importer reads the depths
//             from the graph); it expects 224×224 BGR pixels in 0..255 minus a mean image.
using Pipeline.Models.Vision;

namespace Pipeline.Models.Pretrained;

/// <summary>A named pretrained network: its architecture, input size, weights file and preprocessing file.</summary>
/// <param name="Name">Preset name (e.g. resnet18).</param>
/// <param name="Architecture">The network the weights file holds (checked against the file when it is imported).</param>
/// <param name="ImageSize">Side of the square input the network was exported for.</param>
/// <param name="Weights">The ONNX network.</param>
/// <param name="Preprocessing">The ONNX input transform it expects (<see cref="OnnxInputTransform"/>).</param>
public sealed record PretrainedBackbone(string Name, ResNetSpec Architecture, int ImageSize, PackagedFile Weights, PackagedFile Preprocessing);

/// <summary>The known pretrained backbones.</summary>
public static class PretrainedBackbones
{
    /// <summary>NuGet id of ML.NET's ResNet-18 featurizer package.</summary>
    public const string ResNet18Package = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>The package version whose files the checksums below name.</summary>
    public const string ResNet18Version = "0.24.0";

    /// <summary>ImageNet ResNet-18 from ML.NET's featurizer package.</summary>
    public static PretrainedBackbone ResNet18 { get; } = new("resnet18", new ResNetSpec(64, 7, [64, 128, 256, 512], [2, 2, 2, 3]), 224,
        new PackagedFile(ResNet18Package, ResNet18Version, "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx",
            "e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f"),
        new PackagedFile(ResNet18Package, ResNet18Version, "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx",
            "84bf8def78d0befaa3f6e73745d57d7016c6a192ead76f79686bd438c1047004"));

    /// <summary>Names accepted by <see cref="FromName"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["resnet18"];

    /// <summary>The backbone called <paramref name="name"/>; throws naming the known ones.</summary>
    public static PretrainedBackbone FromName(string name) => name switch
    {
        "resnet18" => ResNet18,
        _ => throw new ArgumentException($"unknown pretrained backbone '{name}'; known: {string.Join(", ", Names)}.", nameof(name)),
    };
}
